"""Read an announcement into draft meetings: printed for review, saved only with --save."""

import json
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from events.announcements.extraction import extract
from events.announcements.saving import save_drafts
from events.announcements.sources import announcement_text

NO_FILE = "No such file: {path}"
NOT_READABLE = "Cannot read {path}: {error}"


class Command(BaseCommand):
    help = (
        "Read an announcement (a .txt or .html file, or - for standard input) into one draft meeting per "
        "meeting it announces. Prints them; writes nothing unless --save is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The announcement: a text or HTML file, or - to read standard input.")
        parser.add_argument("--json", action="store_true", help="Print the drafts as a JSON list.")
        parser.add_argument("--save", action="store_true", help="Save the drafts as draft meetings (one transaction).")
        parser.add_argument(
            "--create-new-names",
            action="append",
            default=[],
            metavar="NAME",
            help="An organisation or programme the site does not have yet to create when saving (repeatable).",
        )

    def handle(self, *args, path, json=False, save=False, create_new_names=(), **options):
        drafts = extract(self._text(path))
        if json:
            self.stdout.write(_json_dumps([draft.as_json(drafts) for draft in drafts]))
        else:
            self.stdout.write(_summary(drafts))
        if save:
            try:
                meetings = save_drafts(drafts, create_new_names=create_new_names)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            for meeting in meetings:
                self.stdout.write(f"Created draft meeting {meeting.pk}: {meeting.title_en} (/{meeting.slug}/)")

    def _text(self, path):
        if path == "-":
            data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
            html = None
        else:
            file = Path(path)
            if not file.is_file():
                raise CommandError(NO_FILE.format(path=path))
            try:
                data = file.read_bytes()
            except OSError as error:
                raise CommandError(NOT_READABLE.format(path=path, error=error.strerror)) from None
            html = True if file.suffix.lower() in {".html", ".htm"} else None
        try:
            return announcement_text(data, html=html)
        except ValueError as error:
            raise CommandError(str(error)) from None


def _json_dumps(value):
    return json.dumps(value, ensure_ascii=False, indent=2)


def _summary(drafts):
    lines = []
    for number, draft in enumerate(drafts, start=1):
        data = draft.as_json(drafts)
        lines.append(f"{number}. {data['title']}")
        when = data["start_date"] or "date to be confirmed"
        if data["end_date"] and data["end_date"] != data["start_date"]:
            when += f" to {data['end_date']}"
        if data["start_time"]:
            when += f", {data['start_time']}" + (f"–{data['end_time']}" if data["end_time"] else "")
        lines.append(f"   When: {when} ({data['date_precision']}{', year inferred' if data['year_inferred'] else ''})")
        place = ", ".join(dict.fromkeys(part for part in (data["venue"], data["city"], data["country"]) if part))
        lines.append(f"   Where: {place or 'not stated'}")
        for item in data["organisers"]:
            lines.append(f"   Organiser ({item['role']}): {item['name']}")
        for item in data["funders"]:
            lines.append(f"   Funder: {item['name']}" + (f" ({item['instrument']})" if item["instrument"] else ""))
        for label, key in (("Programmes", "programmes"), ("Topics", "topics")):
            if data[key]:
                lines.append(f"   {label}: {'; '.join(data[key])}")
        for link in data["links"]:
            lines.append(f"   Linked ({link['kind']}): {link['title']}")
        for note in draft.notes:
            lines.append(f"   Note: {note}")
    return "\n".join(lines) if lines else "No meeting found in the announcement."
