from django.core.management import call_command
from django.core.management.base import BaseCommand

from meetings_site.catalogs import SUPPLEMENTS, compile_all, edited_locales, update_supplement

# What is not the site's own text: the virtualenv, tests, benchmarks, collected static files, and
# the copy of django-simple-history's template (its strings are the supplement's, catalogs.py).
IGNORED = [
    ".venv",
    "tests",
    "perf",
    "staticfiles",
    "node_modules",
    "backups",
    "bench-results",
    "templates/simple_history",
]


class Command(BaseCommand):
    help = (
        "Re-extract the translatable strings into every edited catalog (needs GNU gettext), list "
        "Django's own strings each language lacks (django-supplement.po), then compile them all (make messages)."
    )

    def handle(self, *args, **options):
        call_command(
            "makemessages",
            locale=edited_locales(),
            ignore_patterns=IGNORED,
            no_obsolete=True,
            add_location="file",
            verbosity=options["verbosity"],
        )
        for locale in edited_locales():
            for domain in SUPPLEMENTS:
                self.stdout.write(f"wrote {update_supplement(locale, domain)}")
        for path in compile_all():
            self.stdout.write(f"wrote {path}")
