"""Participant cards an officer can verify, and each program's card settings.

A card names nobody: it carries the program, the participant's public id, the day it was
issued and the program's legal text. Its token (in the QR code) and short code (typed on the
check page) are random, never derived from the public id, so a public id alone finds no card.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Program
from participants.models import Participant


class CardSettings(models.Model):
    """What a program prints on its cards besides the participant's id: set by a manager."""

    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, related_name="card_settings", verbose_name=_("program")
    )
    phone = models.CharField(
        _("phone on the card"),
        max_length=40,
        blank=True,
        help_text=_("The number an officer or a participant can call about the card."),
    )
    legal_text_en = models.TextField(
        _("legal text (English)"),
        max_length=900,
        blank=True,
        help_text=_("What the law says about the card, printed on its back and on the check page."),
    )
    legal_text_es = models.TextField(
        _("legal text (Spanish)"),
        max_length=900,
        blank=True,
        help_text=_("The same text in Spanish."),
    )
    legal_text_reviewed = models.BooleanField(
        _("the legal text has been reviewed"),
        default=False,
        help_text=_(
            "Tick once the program's lawyer (or the state health department) has checked the "
            "legal text for your state. Until then staff are warned that it is a template."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("card settings")
        verbose_name_plural = _("card settings")

    def __str__(self) -> str:
        return str(self.program)

    def legal_text(self, language: str) -> str:
        return self.legal_text_es if language.startswith("es") else self.legal_text_en


class ParticipantCard(models.Model):
    """One printed card. Lost or withdrawn cards are revoked, never deleted, so a revoked token
    keeps answering "not valid"."""

    class RevokedBecause(models.TextChoices):
        REPLACED = "replaced", _("Replaced by a new card")
        LOST = "lost", _("Lost or stolen")
        WITHDRAWN = "withdrawn", _("Withdrawn by the program")
        PARTICIPANT_LEFT = "participant_left", _("The participant left the program")

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="+", verbose_name=_("program")
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="cards", verbose_name=_("participant")
    )
    token = models.CharField(_("token"), max_length=64, unique=True, editable=False)
    short_code = models.CharField(_("short code"), max_length=12, unique=True, editable=False)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    # The program's day, printed on the card and shown on the check page.
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoked_because = models.CharField(
        _("revoked because"), max_length=20, choices=RevokedBecause.choices, blank=True
    )

    class Meta:
        verbose_name = _("participant card")
        verbose_name_plural = _("participant cards")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["program", "issued_on"]),
            models.Index(fields=["participant", "revoked_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True, revoked_because="")
                | models.Q(revoked_at__isnull=False) & ~models.Q(revoked_because=""),
                name="card_revoked_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.display_code

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def display_code(self) -> str:
        """The short code as printed, in two groups: "7K3QX-9M2PA"."""
        half = len(self.short_code) // 2
        return f"{self.short_code[:half]}-{self.short_code[half:]}"


class CardVerification(models.Model):
    """One look at a card's check page: the program's day and what the page answered.

    Never who looked or from where, and not which card either: an officer checking a card must
    become neither a record about the officer nor one about where and when a participant met
    the police. The rows are only counted.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    checked_on = models.DateField(_("checked on"))
    valid = models.BooleanField(_("valid"))

    class Meta:
        verbose_name = _("card check")
        verbose_name_plural = _("card checks")
        indexes = [models.Index(fields=["program", "checked_on"])]

    def __str__(self) -> str:
        return f"{self.program_id} {self.checked_on}"
