from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.code_recipes import DEFAULT_RECIPE, validate_recipe
from core.translated_names import TranslatedName


def default_code_recipe() -> list[dict]:
    return [dict(step) for step in DEFAULT_RECIPE]


class Program(models.Model):
    """A harm reduction program: the boundary of who may see what."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="America/New_York")
    started_on = models.DateField(
        _("started on"),
        null=True,
        blank=True,
        help_text=_("Encounters dated before this day are refused as typing errors."),
    )
    code_recipe = models.JSONField(
        _("participant code recipe"),
        default=default_code_recipe,
        validators=[validate_recipe],
        help_text=_("Which answers make up a participant's code, and how many characters of each."),
    )
    encounter_notes_enabled = models.BooleanField(
        _("allow short notes on encounters"),
        default=False,
        help_text=_("Off by default, so nothing identifying can slip into a free-text note."),
    )
    syringes_per_pound = models.PositiveIntegerField(
        _("syringes per pound"),
        default=200,
        help_text=_("Converts the weight of collected syringes into a count."),
    )
    naloxone_expiry_alert_days = models.PositiveIntegerField(
        _("warn about naloxone expiring within (days)"), default=60
    )
    usual_bundle = models.ForeignKey(
        "supplies.Kit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("usual bundle"),
        help_text=_("Preselected on the encounter screen."),
    )

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def today(self) -> date:
        """Today's date where the program works, which is what its periods are cut by."""
        return timezone.localdate(timezone=self.tzinfo)


class Location(TranslatedName):
    """Where a program works and keeps stock: a fixed site, a van, or an outreach area."""

    class Kind(models.TextChoices):
        FIXED_SITE = "fixed_site", _("Fixed site")
        MOBILE_UNIT = "mobile_unit", _("Mobile unit (van)")
        OUTREACH = "outreach", _("Street outreach area")

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="locations", verbose_name=_("program")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("address or area"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["program", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="location_unique_name"),
        ]


class User(AbstractUser):
    """A staff member, manager, funder or administrator. Participants never have accounts."""

    class Role(models.TextChoices):
        OUTREACH = "outreach", _("Outreach")
        MANAGER = "manager", _("Program manager")
        FUNDER = "funder", _("Funder")
        ADMIN = "admin", _("Administrator")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.OUTREACH)
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
        verbose_name=_("program"),
        help_text=_("Outreach staff and managers belong to one program."),
    )
    locations = models.ManyToManyField(
        Location,
        related_name="staff",
        blank=True,
        verbose_name=_("locations worked at"),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["outreach", "manager"])
                | models.Q(program__isnull=False),
                name="user_staff_has_program",
            ),
        ]

    @property
    def display_name(self) -> str:
        """How colleagues know them: their full name, else their user name."""
        return self.get_full_name() or self.get_username()

    @property
    def is_outreach(self) -> bool:
        return self.role == self.Role.OUTREACH

    @property
    def is_manager(self) -> bool:
        return self.role == self.Role.MANAGER

    @property
    def is_funder(self) -> bool:
        return self.role == self.Role.FUNDER

    @property
    def is_program_staff(self) -> bool:
        """Outreach workers and managers: the people who work with participants."""
        return self.role in (self.Role.OUTREACH, self.Role.MANAGER)


class QueuedTask(models.Model):
    """Work for the Celery worker, written in the same transaction as the change that needs it
    (a transactional outbox): if the broker is down when that transaction commits, the row
    stays unpublished and a sweep publishes it later (accounts/outbox.py)."""

    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    published_at = models.DateTimeField(_("handed to the broker at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("failed hand-overs"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("queued task")
        verbose_name_plural = _("queued tasks")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(published_at__isnull=True),
                name="queuedtask_unpublished",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)}"


class ServiceStatus(models.Model):
    """When a part the web cannot watch directly (the worker, the mail server) last worked,
    and since when it has been failing; the manager's home page warns from it."""

    class Part(models.TextChoices):
        WORKER = "worker", _("background worker")
        MAIL = "mail", _("mail server")

    part = models.CharField(_("part"), max_length=20, choices=Part.choices, unique=True)
    last_ok_at = models.DateTimeField(_("last worked at"), null=True, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("service status")
        verbose_name_plural = _("service statuses")

    def __str__(self) -> str:
        return self.get_part_display()


class DailyJobRun(models.Model):
    """A daily beat job queued its work for a program on one program-date: the outbox sweep
    catches up a job the beat failed to send (Redis down at its time) when this row is missing
    (accounts/daily_jobs.py), and a second run the same program-date finds it and does nothing."""

    job = models.CharField(_("job"), max_length=200)
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    day = models.DateField(_("program date"))
    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("daily job run")
        verbose_name_plural = _("daily job runs")
        constraints = [
            models.UniqueConstraint(fields=["job", "program", "day"], name="daily_job_run_once"),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.program_id} {self.day}"


class PasswordResetEmail(models.Model):
    """Someone asked for a password reset link for this account, or a manager added the account
    and it needs its first password (an invitation): the email is sent from a task after commit
    (accounts/password_reset.py) and `sent_at` is set once the mail server took it, so a retry
    after a failure sends it and a retry after success does not."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    requested_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    is_invitation = models.BooleanField(_("invitation to a new account"), default=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("password reset email")
        verbose_name_plural = _("password reset emails")

    def __str__(self) -> str:
        return f"{self.user_id} {self.requested_at:%Y-%m-%d %H:%M}"
