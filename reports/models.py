from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Program
from reports.measures.registry import unknown_keys

# The last day every month has, so "run on day N" exists in February too.
LAST_SCHEDULE_DAY = 28


class FunderOrganisation(models.Model):
    """A funder (a state health department, a foundation) whose grant officers read reports."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="funder_organisations",
        blank=True,
        limit_choices_to={"role": "funder"},
        verbose_name=_("members"),
        help_text=_("Funder accounts that read the reports published to this organisation."),
    )

    class Meta:
        verbose_name = _("funder organisation")
        verbose_name_plural = _("funder organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReportDefinition(models.Model):
    """Which measures and breakdowns a report holds, who it is published to and when it runs."""

    class Schedule(models.TextChoices):
        NONE = "none", _("Only when asked")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        YEARLY = "yearly", _("Yearly")

    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        related_name="report_definitions",
        verbose_name=_("program"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    measures = models.JSONField(_("measures"), default=list, blank=True)
    breakdowns = models.JSONField(_("breakdowns"), default=list, blank=True)
    published_to = models.ManyToManyField(
        FunderOrganisation,
        related_name="report_definitions",
        blank=True,
        verbose_name=_("published to"),
    )
    schedule = models.CharField(
        _("schedule"), max_length=20, choices=Schedule.choices, default=Schedule.NONE
    )
    run_on_day = models.PositiveSmallIntegerField(
        _("run on day"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(LAST_SCHEDULE_DAY)],
        help_text=_(
            "Scheduled runs happen on this day of the month after the period ends (1 to 28)."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Which ready-made definition this was created from, so adding them twice adds nothing.
    ready_key = models.CharField(_("ready-made definition"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report definition")
        verbose_name_plural = _("report definitions")
        ordering = ["program", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "name"], name="report_definition_unique_name"
            ),
            models.UniqueConstraint(
                fields=["program", "ready_key"],
                condition=~models.Q(ready_key=""),
                name="report_definition_unique_ready_key",
            ),
            models.CheckConstraint(
                condition=models.Q(run_on_day__gte=1, run_on_day__lte=LAST_SCHEDULE_DAY),
                name="report_definition_run_on_day_in_month",
            ),
        ]

    def __str__(self) -> str:
        return self.shown_name

    @property
    def shown_name(self) -> str:
        """The name in the reader's language while it is a ready-made report's own name."""
        return _ready_text(self.ready_key, "name", self.name)

    @property
    def shown_description(self) -> str:
        return _ready_text(self.ready_key, "description", self.description)

    @property
    def is_scheduled(self) -> bool:
        return self.schedule != self.Schedule.NONE

    def unknown_keys(self) -> list[str]:
        """Measures and breakdowns it names that this version does not have."""
        return unknown_keys(self.measures or [], self.breakdowns or [])

    def clean(self):
        super().clean()
        unknown = self.unknown_keys()
        if unknown:
            raise ValidationError(
                {
                    "measures": _("Unknown measures or breakdowns: %(keys)s.")
                    % {"keys": ", ".join(unknown)}
                }
            )


class ReportRun(models.Model):
    """One definition computed for one period, with its three files once it has succeeded.

    The files are kept in the database: web and worker processes share no file system, and a
    report is a few hundred kilobytes at most.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Ready")
        FAILED = "failed", _("Failed")

    definition = models.ForeignKey(
        ReportDefinition,
        on_delete=models.PROTECT,
        related_name="runs",
        verbose_name=_("report definition"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    is_scheduled = models.BooleanField(_("run by the schedule"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("why it failed"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    csv_file = models.BinaryField(_("CSV file"), null=True, blank=True, editable=False)
    xlsx_file = models.BinaryField(_("XLSX file"), null=True, blank=True, editable=False)
    pdf_file = models.BinaryField(_("PDF file"), null=True, blank=True, editable=False)

    FILE_FIELDS = ("csv_file", "xlsx_file", "pdf_file")

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            # The schedule makes one run per definition and period, however often beat fires.
            models.UniqueConstraint(
                fields=["definition", "period_start", "period_end"],
                condition=models.Q(is_scheduled=True),
                name="report_run_one_scheduled_run_per_period",
            ),
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")),
                name="report_run_period_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(is_scheduled=True) | models.Q(requested_by__isnull=False),
                name="report_run_has_a_requester_or_schedule",
            ),
        ]
        indexes = [
            models.Index(fields=["definition", "-created_at"], name="report_run_by_definition")
        ]

    def __str__(self) -> str:
        return f"{self.definition} {self.period_start:%Y-%m-%d} to {self.period_end:%Y-%m-%d}"

    # A queued run not started after this long is waiting for the worker (down, or busy).
    WAITING_FOR_WORKER_AFTER = timedelta(minutes=1)

    @property
    def is_waiting_for_worker(self) -> bool:
        """Queued, and not started for longer than a worker takes to pick a run up: the page
        says it waits for the worker rather than that anything failed."""
        return (
            self.status == self.Status.QUEUED
            and self.created_at is not None
            and timezone.now() - self.created_at > self.WAITING_FOR_WORKER_AFTER
        )

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.SUCCEEDED


class ReportReadyEmail(models.Model):
    """A recipient got the "report ready" email of a published run.

    Written only after the mail server took the email, so a retry or a second delivery of
    the task sends nothing more to this recipient, and a failed send is tried again for this
    recipient alone (accounts.mail.send_once).
    """

    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="ready_emails")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "recipient"], name="reportreadyemail_once_per_recipient"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run} {self.recipient}"


class CommunityReportSetting(models.Model):
    """Whether a program shows a public community report page, and which definition it uses.

    Off unless a manager turns it on: the page is open to anyone who has its address.
    """

    class Period(models.TextChoices):
        MONTH = "month", _("Last complete month")
        QUARTER = "quarter", _("Last complete quarter")
        YEAR = "year", _("Last complete year")

    program = models.OneToOneField(
        Program,
        on_delete=models.CASCADE,
        related_name="community_report",
        verbose_name=_("program"),
    )
    enabled = models.BooleanField(_("show the public community report"), default=False)
    slug = models.SlugField(
        _("web address"),
        max_length=60,
        unique=True,
        help_text=_("The page is at /reports/community/<address>/."),
    )
    definition = models.ForeignKey(
        ReportDefinition,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("report shown"),
    )
    period = models.CharField(
        _("period shown"), max_length=10, choices=Period.choices, default=Period.QUARTER
    )

    class Meta:
        verbose_name = _("community report setting")
        verbose_name_plural = _("community report settings")

    def __str__(self) -> str:
        return str(self.program)


class Release(models.Model):
    """What one published output showed of its protected counts: a run's files, or one period
    of the community page. The release check (reports.disclosure.audit) attacks every new
    release together with all of them, so what goes out never pins a small count; a community
    period is shown as first released (`content`), the same every time.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    run = models.OneToOneField(
        ReportRun, on_delete=models.CASCADE, null=True, blank=True, related_name="release"
    )
    community = models.ForeignKey(
        CommunityReportSetting,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="releases",
    )
    definition = models.ForeignKey(
        ReportDefinition, on_delete=models.CASCADE, related_name="releases"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    cells = models.JSONField(_("protected cells as shown"), default=list)
    withheld = models.JSONField(_("withheld by the release check"), default=list)
    content = models.JSONField(_("content as shown"), null=True, blank=True)
    created_at = models.DateTimeField(_("released at"), auto_now_add=True)

    class Meta:
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "definition", "period_start", "period_end"],
                condition=models.Q(community__isnull=False),
                name="release_one_per_community_period",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "period_start"], name="release_by_program_period")
        ]

    def __str__(self) -> str:
        return f"{self.definition} {self.period_start:%Y-%m-%d} to {self.period_end:%Y-%m-%d}"


def _ready_text(ready_key: str, field: str, stored: str) -> str:
    """A ready-made definition's `field` in the active language, if `stored` is that text in
    one of the app's languages (it was added in the language of whoever added it); a text
    the program changed is its own and shown as it is."""
    if not ready_key:
        return stored
    from reports.ready_definitions import READY_DEFINITIONS  # here: that module imports this one

    ready = next((item for item in READY_DEFINITIONS if item["ready_key"] == ready_key), None)
    if ready is None:
        return stored
    text = ready[field]
    for code, _language in settings.LANGUAGES:
        with translation.override(code):
            matches = str(text) == stored
        if matches:
            return str(text)
    return stored
