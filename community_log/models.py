"""The community-relations log states ask programs to keep: complaints (reported to the state
within 72 hours), syringe-stick injuries to people who are not participants, found syringes and
their clean-up, and police interactions participants choose to tell. None of it names anyone."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Program
from supplies.models import SyringeCollection

# NMAC 7.4.6.9(D): a program reports a community complaint to the state within 72 hours.
STATE_REPORT_DEADLINE = timedelta(hours=72)


class SourceKind(models.TextChoices):
    """Who brought something to the program."""

    RESIDENT = "resident", _("Resident or neighbour")
    BUSINESS = "business", _("Business")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    OFFICIAL = "official", _("Elected official or government")
    PARTICIPANT = "participant", _("Participant")
    STAFF = "staff", _("Program staff")
    OTHER = "other", _("Other")


class LogEntry(models.Model):
    """What every entry of the log has: the program, a coarse place, who wrote it down."""

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="+", verbose_name=_("program")
    )
    place = models.CharField(
        _("place"),
        max_length=200,
        blank=True,
        help_text=_("A street corner, park or neighbourhood; never a home address."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        abstract = True


class Complaint(LogEntry):
    received_at = models.DateTimeField(_("received at"))
    source_kind = models.CharField(_("from"), max_length=20, choices=SourceKind.choices)
    what = models.TextField(
        _("what the complaint is about"),
        max_length=2000,
        help_text=_("Describe the concern, not the people: no names."),
    )
    response = models.TextField(_("the program's response"), max_length=2000, blank=True)
    resolved = models.BooleanField(_("resolved"), default=False)
    reported_to_state_at = models.DateTimeField(
        _("reported to the state at"), null=True, blank=True
    )
    reported_to_state_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported to the state by"),
    )

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["program", "received_at"]),
            models.Index(
                fields=["program", "received_at"],
                condition=models.Q(reported_to_state_at__isnull=True),
                name="complaint_unreported",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d}: {self.get_source_kind_display()}"

    @property
    def state_report_due_at(self) -> datetime:
        return self.received_at + STATE_REPORT_DEADLINE

    def is_overdue(self, now: datetime) -> bool:
        return self.reported_to_state_at is None and now > self.state_report_due_at


class StickInjury(LogEntry):
    """A syringe-stick injury to someone who is not a participant."""

    class InjuredPerson(models.TextChoices):
        COMMUNITY_MEMBER = "community_member", _("Community member")
        CHILD = "child", _("Child")
        STAFF = "staff", _("Program staff or volunteer")
        SANITATION_WORKER = "sanitation_worker", _("Sanitation or maintenance worker")
        LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement or first responder")
        OTHER = "other", _("Other")

    occurred_on = models.DateField(_("happened on"))
    injured_person = models.CharField(
        _("who was hurt"), max_length=20, choices=InjuredPerson.choices
    )
    what_happened = models.TextField(
        _("what happened"), max_length=2000, blank=True, help_text=_("No names.")
    )
    referred_to_care = models.BooleanField(
        _("referred to care"),
        default=False,
        help_text=_("Told to seek care the same day (post-exposure prophylaxis, testing)."),
    )

    class Meta:
        verbose_name = _("syringe-stick injury")
        verbose_name_plural = _("syringe-stick injuries")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["program", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.occurred_on}: {self.get_injured_person_display()}"


class FoundSyringeReport(LogEntry):
    """Syringes someone found discarded, and the clean-up that followed."""

    reported_on = models.DateField(_("reported on"))
    source_kind = models.CharField(_("reported by"), max_length=20, choices=SourceKind.choices)
    syringes_found = models.PositiveIntegerField(_("syringes found (about)"), null=True, blank=True)
    # The clean-up is a collection of the stock ledger, so its syringes count once, in the
    # used syringes collected like every other collection.
    cleanup = models.OneToOneField(
        SyringeCollection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("clean-up"),
    )

    class Meta:
        verbose_name = _("found-syringe report")
        verbose_name_plural = _("found-syringe reports")
        ordering = ["-reported_on", "-id"]
        indexes = [models.Index(fields=["program", "reported_on"])]

    def __str__(self) -> str:
        return f"{self.reported_on}: {self.place}"


class PoliceInteraction(LogEntry):
    """A police interaction a participant chose to tell: anonymous, never a name or an id."""

    class Kind(models.TextChoices):
        STOP = "stop", _("Stopped or questioned")
        SEARCH = "search", _("Searched")
        CITATION = "citation", _("Cited")
        ARREST = "arrest", _("Arrested")
        OTHER = "other", _("Other")

    occurred_on = models.DateField(_("happened on"))
    kind = models.CharField(_("what happened"), max_length=20, choices=Kind.choices)
    card_shown = models.BooleanField(_("showed a participant card"), default=False)
    supplies_confiscated = models.BooleanField(
        _("supplies were taken"),
        default=False,
        help_text=_("Syringes, naloxone or other supplies from the program were confiscated."),
    )
    description = models.TextField(
        _("what they told us"),
        max_length=2000,
        blank=True,
        help_text=_("No names of participants or officers."),
    )

    class Meta:
        verbose_name = _("police interaction")
        verbose_name_plural = _("police interactions")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["program", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.occurred_on}: {self.get_kind_display()}"


class StateReportReminder(models.Model):
    """A manager got the day's reminder of complaints to report to the state: at most one a
    day, however often the task runs."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="state_report_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"
