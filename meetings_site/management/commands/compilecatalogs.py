from django.core.management.base import BaseCommand

from meetings_site.catalogs import compile_all


class Command(BaseCommand):
    help = "Compile the project's translations into .mo files (Serbian Latin derived, Montenegrin completed)."

    def handle(self, *args, **options):
        for path in compile_all():
            if options["verbosity"] > 0:
                self.stdout.write(f"wrote {path}")
