"""Running a calendar import as a job (events.models.CalendarImport): in the request, or apart from it.

Every import is a job row, so an editor finds each import's result on one page whatever server ran
it. A small import runs in the request. A large one runs in a thread of the process that took the
request, started once the job row is committed; a non-daemon thread, so a worker that is told to
stop finishes it first. A job whose process died meanwhile (killed, out of memory, a machine lost)
stays unfinished: once it is older than CALENDAR_IMPORT_JOB_TIMEOUT_SECONDS, ``mark_lost`` marks it
failed, and since the import and the job's "done" commit together, such a job imported nothing.
"""

import datetime
import logging
import re
import threading

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.calendar.fetching import CalendarImportError
from events.calendar.importer import import_calendar
from events.models import CalendarImport

logger = logging.getLogger(__name__)

LOST = _("The import stopped before it finished (its server process ended); nothing was imported. Import it again.")
FAILED = _("The import failed unexpectedly; nothing was imported. The error has been logged.")
VEVENT = re.compile(rb"^BEGIN:VEVENT\r?$", re.MULTILINE | re.IGNORECASE)

_threads = []


def event_count(data):
    """VEVENTs in the file, counted without parsing it: whether the import may run in the request."""
    return len(VEVENT.findall(data))


def runs_in_background(data):
    return event_count(data) > settings.CALENDAR_IMPORT_INLINE_EVENTS


def create(*, data, source, user):
    return CalendarImport.objects.create(data=data, source=source[:500], requested_by=user)


def run(job_id):
    """Run a pending job: the import and the job's outcome commit together. Returns the job."""
    started = CalendarImport.objects.filter(pk=job_id, state=CalendarImport.State.PENDING).update(
        state=CalendarImport.State.RUNNING, started_at=timezone.now()
    )
    job = CalendarImport.objects.select_related("requested_by").get(pk=job_id)
    if not started:
        return job
    try:
        with transaction.atomic():
            result = import_calendar(bytes(job.data), user=job.requested_by)
            finished = CalendarImport.objects.filter(pk=job_id, state=CalendarImport.State.RUNNING).update(
                state=CalendarImport.State.DONE, result=result.as_dict(), data=b"", finished_at=timezone.now()
            )
            if not finished:
                # Marked lost meanwhile: the editor was told nothing was imported, so nothing is.
                transaction.set_rollback(True)
    except CalendarImportError as error:
        _fail(job_id, str(error))
    except Exception:
        logger.exception("calendar import %s failed", job_id)
        _fail(job_id, FAILED)
    job.refresh_from_db()
    return job


def _fail(job_id, message):
    CalendarImport.objects.filter(pk=job_id, state=CalendarImport.State.RUNNING).update(
        state=CalendarImport.State.FAILED, result={"error": str(message)}, data=b"", finished_at=timezone.now()
    )


def run_in_background(job_id):
    """Run the job in a thread once the current transaction commits (the thread must see its row)."""

    def start():
        thread = threading.Thread(target=_run_and_close, args=(job_id,), name=f"calendar-import-{job_id}")
        _threads.append(thread)
        thread.start()

    transaction.on_commit(start)


def _run_and_close(job_id):
    close_old_connections()
    try:
        run(job_id)
    finally:
        # The thread's own connection: Django closes request threads' connections, not this one.
        connections.close_all()


def wait_for_background_imports(timeout=None):
    """Wait for the import threads this process started (tests wait for them to read the result)."""
    while _threads:
        _threads.pop().join(timeout)


def mark_lost(now=None):
    """Mark failed the jobs still unfinished long after they were asked for: their process is gone."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.CALENDAR_IMPORT_JOB_TIMEOUT_SECONDS)
    return CalendarImport.objects.filter(
        state__in=[CalendarImport.State.PENDING, CalendarImport.State.RUNNING], created_at__lt=cutoff
    ).update(state=CalendarImport.State.FAILED, result={"error": str(LOST)}, data=b"", finished_at=now)
