from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Location, Program

# Read aloud or typed from paper without doubt: no 0/O, no 1/I/L.
VERIFICATION_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
VERIFICATION_CODE_LENGTH = 10
HIGHEST_SCORE = 100


class TrainingKind(models.TextChoices):
    NALOXONE = "naloxone", _("Overdose prevention and naloxone")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement: the state harm reduction law")
    COMMUNITY = "community", _("Community training")
    STAFF = "staff", _("Staff training")


# How long a certificate stays valid after the training, in years, by kind.
CERTIFICATE_VALIDITY_YEARS = {
    TrainingKind.NALOXONE: 2,
    TrainingKind.LAW_ENFORCEMENT: 1,
    TrainingKind.COMMUNITY: 2,
    TrainingKind.STAFF: 1,
}


def certificate_valid_until(kind: str, held_on: date) -> date:
    """The last day a certificate of a training of `kind` held on `held_on` is valid."""
    years = CERTIFICATE_VALIDITY_YEARS[kind]
    try:
        return held_on.replace(year=held_on.year + years)
    except ValueError:  # 29 February, and the year it lapses has none
        return held_on.replace(year=held_on.year + years, day=28)


class TrainingSession(models.Model):
    """One training the program gave: who it was for, how many came, what was handed out."""

    Kind = TrainingKind

    class Audience(models.TextChoices):
        PARTICIPANTS = "participants", _("Participants")
        COMMUNITY = "community", _("Community members")
        LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
        PROVIDERS = "providers", _("Service providers")

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="training_sessions")
    kind = models.CharField(_("kind of training"), max_length=20, choices=TrainingKind.choices)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="trainings_given",
        verbose_name=_("trainer"),
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("naloxone taken from"),
        help_text=_("The location whose stock the naloxone kits handed out came from."),
    )
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    attendee_count = models.PositiveIntegerField(_("number of people trained"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["program", "-held_on"], name="training_program_date"),
            models.Index(fields=["trainer", "-held_on"], name="training_trainer_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(attendee_count__gte=1), name="training_attendee_count_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.get_kind_display()}, {self.place}"

    @property
    def is_law_enforcement(self) -> bool:
        """A training on the law for officers, or any training given to officers."""
        return (
            self.kind == TrainingKind.LAW_ENFORCEMENT
            or self.audience == self.Audience.LAW_ENFORCEMENT
        )


class Attendee(models.Model):
    """A person recorded at a session: named (law enforcement, community) or a participant.

    A participant is recorded by link only, never by name, so their pseudonymity holds.
    """

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(_("name"), max_length=200, blank=True)
    agency = models.CharField(_("agency"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainings_attended",
        verbose_name=_("participant"),
    )
    pre_test_score = models.PositiveSmallIntegerField(
        _("pre-test score"), null=True, blank=True, validators=[MaxValueValidator(HIGHEST_SCORE)]
    )
    post_test_score = models.PositiveSmallIntegerField(
        _("post-test score"), null=True, blank=True, validators=[MaxValueValidator(HIGHEST_SCORE)]
    )

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["session", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pre_test_score__lte=HIGHEST_SCORE)
                & models.Q(post_test_score__lte=HIGHEST_SCORE),
                name="attendee_scores_at_most_100",
            ),
            models.CheckConstraint(
                condition=models.Q(participant__isnull=True)
                | models.Q(name="", agency="", email=""),
                name="attendee_participant_unnamed",
            ),
        ]

    def __str__(self) -> str:
        if self.name:
            return self.name
        if self.participant_id:
            return str(self.participant)
        return _("Attendee %(number)s") % {"number": self.pk}

    @property
    def initials(self) -> str:
        """'J. D.' for 'Jane Doe': the first and last word of the name, nothing more."""
        words = self.name.split()
        if not words:
            return ""
        shown = [words[0], words[-1]] if len(words) > 1 else words
        return " ".join(f"{word[0].upper()}." for word in shown)

    @property
    def knowledge_gain(self) -> int | None:
        if self.pre_test_score is None or self.post_test_score is None:
            return None
        return self.post_test_score - self.pre_test_score


class Certificate(models.Model):
    """Proof that a named attendee was trained, checked by anyone with its verification code."""

    attendee = models.OneToOneField(
        Attendee, on_delete=models.CASCADE, related_name="certificate", verbose_name=_("attendee")
    )
    code = models.CharField(
        _("verification code"), max_length=VERIFICATION_CODE_LENGTH, unique=True
    )
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reminder_sent_at = models.DateTimeField(_("renewal reminder sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-id"]
        indexes = [
            # The daily reminder looks only at certificates not yet reminded.
            models.Index(
                fields=["valid_until"],
                condition=models.Q(reminder_sent_at__isnull=True),
                name="certificate_reminder_due",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def is_valid_on(self, day: date) -> bool:
        return day <= self.valid_until
