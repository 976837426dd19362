"""Load the seed meetings (fixtures/) into an empty database; leave an edited one alone.

`make run` calls this every time. Loading fixtures over a database that editors
have worked in would overwrite their edits to the seed meetings, so the seed is
loaded only when the database has no meetings yet (or with --force).
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from events.cache import invalidate_all
from events.models import Meeting

SEED_FIXTURES = ["countries", "topics", "organisations", "venues", "meetings"]


class Command(BaseCommand):
    help = "Load the seed meetings from fixtures/ unless the database already has meetings."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load even if meetings exist (overwrites the seed rows)."
        )

    def handle(self, *args, force=False, **options):
        if Meeting.objects.exists() and not force:
            self.stdout.write("Meetings already present; seed not reloaded (use --force to reload it).")
            return
        with transaction.atomic():
            call_command("loaddata", *SEED_FIXTURES, verbosity=options["verbosity"])
            invalidate_all()
        self.stdout.write(self.style.SUCCESS(f"Seed loaded: {Meeting.objects.count()} meetings."))
