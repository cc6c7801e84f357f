from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Program


class Item(models.Model):
    """Something a program hands out: a syringe size, a naloxone kit, a test strip."""

    class Category(models.TextChoices):
        SYRINGES = "syringes", _("Syringes")
        INJECTION_EQUIPMENT = "injection_equipment", _("Injection equipment")
        NALOXONE = "naloxone", _("Naloxone")
        DRUG_CHECKING = "drug_checking", _("Drug checking")
        SMOKING = "smoking", _("Safer smoking")
        SNORTING = "snorting", _("Safer snorting")
        WOUND_CARE = "wound_care", _("Wound care")
        SEXUAL_HEALTH = "sexual_health", _("Sexual health")
        DISPOSAL = "disposal", _("Disposal")
        HYGIENE = "hygiene", _("Hygiene")
        OTHER = "other", _("Other")

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="items", verbose_name=_("program")
    )
    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=30, default="each")
    tracks_lots = models.BooleanField(_("tracks lots and expiry"), default=False)
    doses_per_unit = models.PositiveSmallIntegerField(
        _("naloxone doses per unit"),
        null=True,
        blank=True,
        help_text=_("For naloxone: a two-dose kit counts as two doses."),
    )
    max_per_encounter = models.PositiveIntegerField(
        _("most per encounter"),
        default=100,
        help_text=_("A larger quantity at one encounter is refused as a likely typing error."),
    )
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["display_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="item_unique_name"),
            models.CheckConstraint(
                condition=models.Q(max_per_encounter__gte=1), name="item_max_per_encounter_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Kit(models.Model):
    """A named bundle of items given with one tap (e.g. a standard injection kit)."""

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="kits", verbose_name=_("program")
    )
    name = models.CharField(_("name"), max_length=120)
    items = models.ManyToManyField(Item, through="KitItem", verbose_name=_("items"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("kit")
        verbose_name_plural = _("kits")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="kit_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class KitItem(models.Model):
    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("kit item")
        verbose_name_plural = _("kit items")
        constraints = [
            models.UniqueConstraint(fields=["kit", "item"], name="kititem_unique_item"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="kititem_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.item}"
