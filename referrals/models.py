from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Program
from encounters.models import Encounter
from participants.models import Participant


class ReferralKind(models.TextChoices):
    HOUSING = "housing", _("Housing")
    SUBSTANCE_USE_TREATMENT = "substance_use_treatment", _("Substance use treatment / MOUD")
    MEDICAL_CARE = "medical_care", _("Medical care")
    HIV_HCV = "hiv_hcv", _("HIV/HCV testing and care")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    BENEFITS = "benefits", _("Benefits")
    FOOD = "food", _("Food")
    CLOTHING = "clothing", _("Clothing")
    LEGAL = "legal", _("Legal")
    OTHER = "other", _("Other")


class Partner(models.Model):
    """An agency participants can be referred to."""

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="partners", verbose_name=_("program")
    )
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    walk_in = models.BooleanField(_("walk-ins welcome"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("partner agency")
        verbose_name_plural = _("partner agencies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="partner_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class PartnerService(models.Model):
    """One kind of help a partner offers."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(_("service"), max_length=30, choices=ReferralKind.choices)

    class Meta:
        verbose_name = _("partner service")
        verbose_name_plural = _("partner services")
        constraints = [
            models.UniqueConstraint(fields=["partner", "kind"], name="partnerservice_unique_kind"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Referral(models.Model):
    """A participant sent to a service, followed up until linked, completed or closed."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        MADE = "made", _("Made")
        LINKED = "linked", _("Linked")
        COMPLETED = "completed", _("Completed")
        DECLINED = "declined", _("Declined")
        LOST_TO_FOLLOW_UP = "lost_to_follow_up", _("Lost to follow-up")

    OPEN_STATUSES = (Status.OFFERED, Status.MADE)
    LINKED_STATUSES = (Status.LINKED, Status.COMPLETED)

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="referrals")
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("participant"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ReferralKind.choices)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("partner"),
    )
    encounter = models.ForeignKey(
        Encounter, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="referrals_made",
        verbose_name=_("made by"),
    )
    made_at = models.DateTimeField(_("made at"))
    follow_up_due = models.DateField(_("follow-up due"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    linked_at = models.DateTimeField(_("linked at"), null=True, blank=True)
    outcome_note = models.CharField(_("outcome note"), max_length=280, blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-made_at", "-id"]
        indexes = [
            models.Index(fields=["program", "-made_at"], name="referral_program_time"),
            models.Index(fields=["made_by", "status", "follow_up_due"], name="referral_follow_up"),
            models.Index(fields=["participant", "-made_at"], name="referral_participant_time"),
            # The manager's overdue follow-ups: open referrals of the program, soonest due first.
            models.Index(
                fields=["program", "follow_up_due", "made_at"],
                condition=models.Q(status__in=["offered", "made"]),
                name="referral_open_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class ReferralStatusChange(models.Model):
    """The history of a referral: every status it had, when and by whom."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(_("status"), max_length=20, choices=Referral.Status.choices)
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=280, blank=True)

    class Meta:
        verbose_name = _("referral status change")
        verbose_name_plural = _("referral status changes")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.changed_at:%Y-%m-%d} {self.status}"


class FollowUpDigest(models.Model):
    """A worker got their digest of the program's overdue follow-ups for that program-date.

    Written only after the mail server took the email, so a retry or a second run that day
    sends nothing more, and a failed send is tried again (accounts.mail.send_once).
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()  # the program's date, not the server's
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "user", "day"], name="followupdigest_once_per_program_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.day}"


class DailyReferralTotals(models.Model):
    """Referrals made on one local day of a program, at one location and encounter kind (none
    for a referral made apart from an encounter), and how many of them are linked now: what
    dashboards add up instead of joining every referral to its encounter.

    Kept right by PostgreSQL triggers (their SQL: referrals migration 0007) on every insert,
    update and delete of referrals, on a change of an encounter's location or kind, and on a
    change of the program's time zone. Read only by reports.measures.
    """

    program = models.ForeignKey(
        Program, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    day = models.DateField()
    location = models.ForeignKey(
        "accounts.Location",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        null=True,
    )
    kind = models.CharField(max_length=20, blank=True, help_text=_("The encounter's kind."))
    made = models.IntegerField(default=0)
    linked = models.IntegerField(default=0)

    class Meta:
        db_table = "referrals_dailyreferraltotals"
        verbose_name = _("daily referral totals")
        verbose_name_plural = _("daily referral totals")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "day", "location", "kind"],
                name="dailyreferraltotals_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.location_id} {self.kind}: {self.made}"
