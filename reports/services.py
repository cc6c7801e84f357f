"""Writes about funder reports: definitions, runs (asked for, scheduled, built, retried),
publishing (scheduled runs at once, runs asked for after a manager's review) with its "ready"
emails, and downloads. The community page's setting is in reports.community."""

from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import outbox
from accounts.mail import send_once
from accounts.models import Program, User
from audit.services import record_action
from core.replica import reading_from_replica
from reports import exports, measures, periods, releases
from reports.models import (
    FunderOrganisation,
    ReportDefinition,
    ReportReadyEmail,
    ReportRun,
)
from reports.ready_definitions import READY_DEFINITIONS

EARLIEST_PERIOD_START = date(2000, 1, 1)
LONGEST_PERIOD_DAYS = 2 * 366
ERROR_TEXT_LENGTH = 2000


class ReportError(Exception):
    """A report action that cannot be done as asked; `field` names the input at fault."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def check_manager_of(by: User, program_id: int) -> None:
    if not (by.is_authenticated and by.is_manager and by.program_id == program_id):
        raise ReportError(_("Only a manager of the program can do this."))


# --- Ready-made definitions --------------------------------------------------------------------


@transaction.atomic
def add_ready_definitions(*, program: Program, by: User | None) -> list[ReportDefinition]:
    """Create the three ready-made definitions the program does not have yet; returns the new.

    A ready definition naming a measure this version does not compute is refused, never added
    with it left out (a system check and a test walk them all). Safe to call again: a ready
    definition, or one of the same name, is never added twice.
    """
    if by is not None:
        check_manager_of(by, program.pk)
    created = []
    for ready in READY_DEFINITIONS:
        check_known_keys(ready["measures"], ready["breakdowns"])
        name = str(ready["name"])
        existing = ReportDefinition.objects.filter(program=program)
        if (
            existing.filter(ready_key=ready["ready_key"]).exists()
            or existing.filter(name=name).exists()
        ):
            continue
        definition = ReportDefinition.objects.create(
            program=program,
            name=name,
            description=str(ready["description"]),
            ready_key=ready["ready_key"],
            schedule=ready["schedule"],
            run_on_day=ready["run_on_day"],
            measures=list(ready["measures"]),
            breakdowns=list(ready["breakdowns"]),
        )
        record_action(
            actor=by,
            action="reports.definition.created",
            target=definition,
            program=program,
            details={"ready": ready["ready_key"]},
        )
        created.append(definition)
    return created


def check_known_keys(measure_keys, breakdown_keys) -> None:
    """Refuse a definition that names a measure or breakdown this version does not have."""
    unknown = measures.unknown_keys(measure_keys, breakdown_keys)
    if unknown:
        raise ReportError(
            _(
                "The report names measures or breakdowns that do not exist (any more): "
                "%(keys)s. Edit the report and choose from the list."
            )
            % {"keys": ", ".join(unknown)},
            field="measures",
        )


def _clean_keys(keys, registry, *, field: str) -> list[str]:
    keys = list(dict.fromkeys(keys))
    unknown = [key for key in keys if key not in registry]
    if unknown:
        raise ReportError(
            _("Unknown: %(keys)s.") % {"keys": ", ".join(unknown)},
            field=field,
        )
    # Keep the registry's order, which groups related measures.
    return [key for key in registry if key in keys]


@transaction.atomic
def save_definition(
    *,
    by: User,
    definition: ReportDefinition | None = None,
    name: str,
    description: str = "",
    measure_keys: list[str],
    breakdown_keys: list[str],
    published_to: list[FunderOrganisation],
    schedule: str,
    run_on_day: int,
    is_active: bool = True,
) -> ReportDefinition:
    """Create a definition for the manager's program, or change one of it."""
    program_id = definition.program_id if definition is not None else by.program_id
    check_manager_of(by, program_id)
    measure_keys = _clean_keys(measure_keys, measures.MEASURES, field="measures")
    breakdown_keys = _clean_keys(breakdown_keys, measures.BREAKDOWNS, field="breakdowns")
    if not measure_keys and not breakdown_keys:
        raise ReportError(_("Choose at least one measure or breakdown."), field="measures")
    name = name.strip()
    if not name:
        raise ReportError(_("Give the report a name."), field="name")
    same_name = ReportDefinition.objects.filter(program_id=program_id, name=name)
    if definition is not None:
        same_name = same_name.exclude(pk=definition.pk)
    if same_name.exists():
        raise ReportError(_("The program has a report of that name already."), field="name")
    if schedule not in ReportDefinition.Schedule.values:
        raise ReportError(_("Choose a schedule from the list."), field="schedule")
    if not 1 <= run_on_day <= 28:
        raise ReportError(_("Choose a day from 1 to 28."), field="run_on_day")
    created = definition is None
    if created:
        definition = ReportDefinition(program_id=program_id)
    definition.name = name
    definition.description = description.strip()
    definition.measures = measure_keys
    definition.breakdowns = breakdown_keys
    definition.schedule = schedule
    definition.run_on_day = run_on_day
    definition.is_active = is_active
    definition.save()
    definition.published_to.set(published_to)
    record_action(
        actor=by,
        action="reports.definition.created" if created else "reports.definition.changed",
        target=definition,
        program=definition.program,
        details={
            "measures": measure_keys,
            "breakdowns": breakdown_keys,
            "published_to": sorted(org.pk for org in published_to),
            "schedule": schedule,
            "run_on_day": run_on_day,
            "is_active": is_active,
        },
    )
    return definition


# --- Runs --------------------------------------------------------------------------------------


def program_today(program: Program) -> date:
    return program.today()


def _enqueue(run_id: int) -> None:
    from reports.tasks import build_report_run

    outbox.queue_after_commit(build_report_run, run_id)


def check_period(program: Program, start: date | None, end: date | None) -> None:
    """A period a manager may ask for: in order, over by today, at most two years long."""
    if start is None or end is None:
        raise ReportError(_("Give the first and the last day of the period."), field="start")
    if end < start:
        raise ReportError(_("The period ends before it starts."), field="end")
    if start < EARLIEST_PERIOD_START:
        raise ReportError(_("The period starts too long ago."), field="start")
    today = program_today(program)
    if end > today:
        raise ReportError(
            _("The period cannot end after today (%(today)s).") % {"today": today.isoformat()},
            field="end",
        )
    if periods.length_in_days(start, end) > LONGEST_PERIOD_DAYS:
        raise ReportError(_("A report covers at most two years."), field="end")


@transaction.atomic
def request_run(*, by: User, definition: ReportDefinition, start: date, end: date) -> ReportRun:
    """Queue a run of `definition` for the period; the worker builds it after commit.

    Asking again for a run that is still queued or running gives that run, not a second one.
    """
    check_manager_of(by, definition.program_id)
    check_known_keys(definition.measures, definition.breakdowns)
    check_period(definition.program, start, end)
    waiting = (
        ReportRun.objects.filter(
            definition=definition,
            period_start=start,
            period_end=end,
            status__in=[ReportRun.Status.QUEUED, ReportRun.Status.RUNNING],
        )
        .order_by("pk")
        .first()
    )
    if waiting is not None:
        return waiting
    run = ReportRun.objects.create(
        definition=definition, period_start=start, period_end=end, requested_by=by
    )
    record_action(
        actor=by,
        action="reports.run.requested",
        target=run,
        program=definition.program,
        details={"period_start": start.isoformat(), "period_end": end.isoformat()},
    )
    _enqueue(run.pk)
    return run


def enqueue_due_runs(*, program_id: int | None = None, today: date | None = None) -> int:
    """Create and queue the scheduled runs that are due today in each program's time zone
    (or on `today`), of one program or of every program.

    Safe to call any number of times a day: a (definition, period) has at most one scheduled
    run, enforced by a unique constraint. Returns how many runs it queued.
    """
    queued = 0
    definitions = (
        ReportDefinition.objects.filter(is_active=True)
        .exclude(schedule=ReportDefinition.Schedule.NONE)
        .select_related("program")
        .order_by("pk")
    )
    if program_id is not None:
        definitions = definitions.filter(program_id=program_id)
    for definition in definitions:
        period = periods.due_period(
            today or program_today(definition.program),
            definition.schedule,
            definition.run_on_day,
        )
        if period is None:
            continue
        start, end = period
        if ReportRun.objects.filter(
            definition=definition, period_start=start, period_end=end, is_scheduled=True
        ).exists():
            continue
        try:
            with transaction.atomic():
                run = ReportRun.objects.create(
                    definition=definition,
                    period_start=start,
                    period_end=end,
                    is_scheduled=True,
                )
                record_action(
                    actor=None,
                    action="reports.run.scheduled",
                    target=run,
                    program=definition.program,
                    details={"period_start": start.isoformat(), "period_end": end.isoformat()},
                )
                _enqueue(run.pk)
        except IntegrityError:
            continue  # another beat or worker made it a moment ago
        queued += 1
    return queued


@transaction.atomic
def retry_run(*, by: User, run: ReportRun) -> ReportRun:
    """Queue a failed run again: the same run, so it can still be published only once."""
    check_manager_of(by, run.definition.program_id)
    requeued = ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.FAILED).update(
        status=ReportRun.Status.QUEUED, error="", finished_at=None
    )
    if not requeued:
        raise ReportError(_("Only a failed report can be retried."))
    record_action(
        actor=by,
        action="reports.run.retried",
        target=run,
        program=run.definition.program,
    )
    _enqueue(run.pk)
    run.refresh_from_db()
    return run


def build_run(run_id: int) -> str:
    """Compute the published version of one run and render it; returns the run's status.

    A scheduled run (a fixed definition for its calendar period) is then published; a run a
    manager asked for waits for that manager to review the files and publish them
    (`publish_reviewed_run`), and its "ready" email goes to the manager alone.

    Claims the run with a conditional UPDATE, so a run already built is only (re)published
    or (re)announced, and a failed one waits for a manager's retry. A failure is stored with
    its reason.
    """
    claimed = ReportRun.objects.filter(
        pk=run_id, status__in=[ReportRun.Status.QUEUED, ReportRun.Status.RUNNING]
    ).update(status=ReportRun.Status.RUNNING, started_at=timezone.now())
    run = ReportRun.objects.select_related("definition__program", "requested_by").get(pk=run_id)
    if not claimed:
        if run.status == ReportRun.Status.SUCCEEDED:
            _after_build(run)
        return run.status
    ReportRun.objects.filter(pk=run_id).update(attempts=run.attempts + 1)
    definition = run.definition
    language = run.requested_by.language if run.requested_by else settings.LANGUAGE_CODE
    try:
        with transaction.atomic():
            # One release check at a time in a program, each seeing the releases before it.
            Program.objects.select_for_update().filter(pk=definition.program_id).exists()
            earlier = releases.released_so_far(
                definition.program, run.period_start, run.period_end, exclude_run=run.pk
            )
            # The numbers may come from a read replica: a run is never about what was just
            # saved.
            with translation.override(language), reading_from_replica():
                content = exports.report_content(
                    program=definition.program,
                    title=definition.shown_name,
                    measure_keys=list(definition.measures),
                    breakdown_keys=list(definition.breakdowns),
                    start=run.period_start,
                    end=run.period_end,
                    earlier=earlier,
                    withhold_first=releases.withheld_before(
                        definition, run.period_start, run.period_end
                    ),
                )
            releases.record_release(content, definition=definition, run=run)
        with translation.override(language):
            files = {
                "csv_file": exports.render_csv(content),
                "xlsx_file": exports.render_xlsx(content),
                "pdf_file": exports.render_pdf(content),
            }
    except Exception as error:  # any failure is stored and shown to the manager
        reason = error.message if isinstance(error, exports.ReportContentError) else repr(error)
        with transaction.atomic():
            ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.RUNNING).update(
                status=ReportRun.Status.FAILED,
                error=reason[:ERROR_TEXT_LENGTH],
                finished_at=timezone.now(),
            )
            record_action(
                actor=None,
                action="reports.run.failed",
                target=run,
                program=definition.program,
                details={"error": reason[:200]},
            )
        return ReportRun.Status.FAILED
    with transaction.atomic():
        ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.RUNNING).update(
            status=ReportRun.Status.SUCCEEDED,
            error="",
            finished_at=timezone.now(),
            **files,
        )
        record_action(
            actor=None,
            action="reports.run.built",
            target=run,
            program=definition.program,
            details={
                "bytes": {name: len(data) for name, data in files.items()},
                "withheld": list(content.withheld),
            },
        )
    _after_build(run)
    return ReportRun.Status.SUCCEEDED


def _after_build(run: ReportRun) -> None:
    """Publish a scheduled run; tell the manager who asked for one that it awaits review."""
    if run.is_scheduled:
        publish_run(run.pk)
    elif run.requested_by_id:
        with transaction.atomic():
            _queue_ready_email(run_id=run.pk, recipient_id=run.requested_by_id)


@transaction.atomic
def publish_reviewed_run(*, by: User, run: ReportRun) -> ReportRun:
    """A manager has looked at the files of a run (the published version: what the funders
    get) and releases them to the funders of its definition."""
    check_manager_of(by, run.definition.program_id)
    if run.status != ReportRun.Status.SUCCEEDED:
        raise ReportError(_("Only a report that is ready can be published."))
    if run.published_at is not None:
        raise ReportError(_("This report is published already."))
    publish_run(run.pk, by=by)
    run.refresh_from_db(fields=["published_at"])
    return run


def report_recipients(run: ReportRun) -> list[User]:
    """Who hears that a run is ready: the funders it is published to and whoever asked (for a
    scheduled run, the program's managers), each once, with an email address."""
    definition = run.definition
    people = User.objects.filter(
        is_active=True,
        role=User.Role.FUNDER,
        funder_organisations__report_definitions=definition,
    )
    if run.requested_by_id:
        people = people | User.objects.filter(pk=run.requested_by_id, is_active=True)
    else:
        people = people | User.objects.filter(
            is_active=True, role=User.Role.MANAGER, program_id=definition.program_id
        )
    return list(people.exclude(email="").distinct().order_by("pk"))


def publish_run(run_id: int, *, by: User | None = None) -> bool:
    """Publish a built run, once, and queue its "ready" email to each recipient after commit.

    The conditional UPDATE on published_at makes a second delivery of the task publish and
    queue nothing. Each email is a task of its own (`send_ready_email`), marked sent per
    recipient, so a mail server failing for one recipient retries that recipient alone, and
    no email goes out if this transaction rolls back.
    """
    with transaction.atomic():
        published = ReportRun.objects.filter(
            pk=run_id, status=ReportRun.Status.SUCCEEDED, published_at__isnull=True
        ).update(published_at=timezone.now())
        if not published:
            return False
        run = (
            ReportRun.objects.defer(*ReportRun.FILE_FIELDS)
            .select_related("definition__program")
            .get(pk=run_id)
        )
        recipients = report_recipients(run)
        record_action(
            actor=by,
            action="reports.run.published",
            target=run,
            program=run.definition.program,
            details={
                "recipients": [user.pk for user in recipients],
                "organisations": list(run.definition.published_to.values_list("pk", flat=True)),
            },
        )
        for user in recipients:
            _queue_ready_email(run_id=run.pk, recipient_id=user.pk)
    return True


def _queue_ready_email(*, run_id: int, recipient_id: int) -> None:
    from reports.tasks import send_report_ready_email

    outbox.queue_after_commit(send_report_ready_email, run_id, recipient_id)


def run_url(run: ReportRun) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("reports:run", args=[run.pk])


def send_ready_email(*, run_id: int, recipient_id: int) -> bool:
    """Email one recipient that a run is ready (published, or for the manager who asked for
    it, ready to review), unless already sent; returns whether this call sent. Raises what
    the mail server raises."""
    run = (
        ReportRun.objects.defer(*ReportRun.FILE_FIELDS)
        .select_related("definition__program")
        .filter(
            Q(published_at__isnull=False) | Q(requested_by_id=recipient_id),
            pk=run_id,
            status=ReportRun.Status.SUCCEEDED,
        )
        .first()
    )
    user = User.objects.filter(pk=recipient_id, is_active=True).exclude(email="").first()
    if run is None or user is None:
        return False

    def compose() -> EmailMessage:
        with translation.override(user.language):
            return EmailMessage(
                subject=_("Report ready: %(name)s, %(start)s to %(end)s")
                % {
                    "name": run.definition.shown_name,
                    "start": run.period_start.isoformat(),
                    "end": run.period_end.isoformat(),
                },
                body=render_to_string(
                    "reports/report_ready_email.txt",
                    {"run": run, "user": user, "url": run_url(run)},
                ),
                to=[user.email],
            )

    return send_once(marker=ReportReadyEmail, compose=compose, run=run, recipient=user)


def record_download(*, by: User, run: ReportRun, file_format: str, ip_address: str | None) -> None:
    """Every download of a report file is in the audit log."""
    record_action(
        actor=by,
        action="reports.run.downloaded",
        target=run,
        program=run.definition.program,
        ip_address=ip_address,
        details={"format": file_format},
    )
