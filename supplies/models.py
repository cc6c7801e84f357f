from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Location, Program
from core.translated_names import TranslatedName

# The units the catalogue uses, in the reader's language; a unit a program typed itself shows as
# typed.
UNIT_LABELS = {
    "each": _("each"),
    "pack": _("pack"),
    "vial": _("vial"),
    "kit": _("kit"),
    "box": _("box"),
    "dose": _("dose"),
}


class Item(TranslatedName):
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
        EDUCATIONAL = "educational", _("Educational materials")
        OTHER = "other", _("Other")

    class TestStripKind(models.TextChoices):
        FENTANYL = "fentanyl", _("Fentanyl")
        XYLAZINE = "xylazine", _("Xylazine")
        OTHER = "other", _("Other drug-checking")

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
    test_strip_kind = models.CharField(
        _("test strip kind"),
        max_length=20,
        choices=TestStripKind.choices,
        blank=True,
        help_text=_("For drug checking: what the strip detects, so funders see each apart."),
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

    @property
    def unit_label(self) -> str:
        """The unit in the active language, when it is one of the catalogue's."""
        return str(UNIT_LABELS.get(self.unit, self.unit))


class Kit(TranslatedName):
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


class FundingSource(models.Model):
    """The grant or budget that paid for a lot; some funders bar some items."""

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="funding_sources", verbose_name=_("program")
    )
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="fundingsource_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Lot(models.Model):
    """A batch of one item: its lot number, expiry and who paid. Untracked items have one lot."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="lots")
    lot_number = models.CharField(_("lot number"), max_length=60, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    funding_source = models.ForeignKey(
        FundingSource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lots",
        verbose_name=_("funding source"),
    )

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "lot_number", "expires_on", "funding_source"],
                name="lot_unique_identity",
            ),
        ]

    def __str__(self) -> str:
        parts = [str(self.item)]
        if self.lot_number:
            parts.append(gettext("lot %(number)s") % {"number": self.lot_number})
        if self.expires_on:
            # ISO dates: the same in every language, never a day read as a month.
            parts.append(gettext("exp. %(date)s") % {"date": f"{self.expires_on:%Y-%m-%d}"})
        return ", ".join(parts)


class StockLevel(models.Model):
    """Cached on-hand quantity of one lot at one location; always the sum of its movements."""

    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="stock_levels", verbose_name=_("location")
    )
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="stock_levels")
    on_hand = models.IntegerField(_("on hand"), default=0)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["location", "lot"], name="stocklevel_unique_lot"),
            # The last guard: no code path may leave a negative level behind.
            models.CheckConstraint(
                condition=models.Q(on_hand__gte=0), name="stocklevel_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.location}: {self.on_hand} x {self.lot}"


class StockMovement(models.Model):
    """One append-only change of stock; quantity is signed (positive adds to the location)."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        DISTRIBUTED = "distributed", _("Distributed")
        RETURNED = "returned", _("Returned (encounter undone or changed)")
        TRANSFERRED_OUT = "transferred_out", _("Transferred out")
        TRANSFERRED_IN = "transferred_in", _("Transferred in")
        ADJUSTED = "adjusted", _("Adjusted")
        EXPIRED = "expired", _("Expired")
        WASTED = "wasted", _("Wasted")

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="movements", verbose_name=_("location")
    )
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    quantity = models.IntegerField(_("quantity"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    supplier = models.CharField(_("supplier"), max_length=120, blank=True)
    encounter_supply = models.ForeignKey(
        "encounters.EncounterSupply",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="movements",
    )
    training_session = models.ForeignKey(
        "training.TrainingSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="movements",
    )
    # Both halves of a transfer share this id.
    transfer_id = models.UUIDField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["location", "-at"], name="movement_location_time"),
            models.Index(fields=["program", "kind", "-at"], name="movement_kind_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(quantity=0), name="movement_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity:+d} {self.lot} @ {self.location}"


class ReorderLevel(models.Model):
    """Below this many units of an item at a location, managers get an alert."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="reorder_levels")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reorder_levels")
    minimum = models.PositiveIntegerField(_("reorder below"))

    class Meta:
        verbose_name = _("reorder level")
        verbose_name_plural = _("reorder levels")
        constraints = [
            models.UniqueConstraint(fields=["location", "item"], name="reorderlevel_unique_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item} @ {self.location} < {self.minimum}"


class SyringeCollection(models.Model):
    """Used syringes collected outside encounters: from a drop box or a community clean-up."""

    class Source(models.TextChoices):
        DROP_BOX = "drop_box", _("Drop box")
        CLEANUP = "cleanup", _("Community clean-up")

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    collected_on = models.DateField(_("collected on"))
    counted = models.PositiveIntegerField(_("syringes counted"), null=True, blank=True)
    weight_pounds = models.DecimalField(
        _("weight (pounds)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    syringes = models.PositiveIntegerField(
        _("syringes"), help_text=_("The count, or the weight times the program's factor.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("syringe collection")
        verbose_name_plural = _("syringe collections")
        ordering = ["-collected_on", "-id"]
        indexes = [models.Index(fields=["program", "collected_on"])]

    def __str__(self) -> str:
        return f"{self.collected_on}: {self.syringes} ({self.get_source_display()})"


class SharpsDisposal(models.Model):
    """Sharps containers handed to a disposal service, with the vendor's manifest or receipt."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    disposed_on = models.DateField(_("handed over on"))
    containers = models.PositiveIntegerField(_("containers"))
    weight_pounds = models.DecimalField(
        _("weight (pounds)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    syringes_estimated = models.PositiveIntegerField(
        _("syringes (estimated)"),
        help_text=_("The weight times the program's syringes per pound, or a count if given."),
    )
    vendor = models.CharField(_("disposal service"), max_length=120, blank=True)
    manifest_number = models.CharField(_("manifest or receipt number"), max_length=60)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sharps disposal")
        verbose_name_plural = _("sharps disposals")
        ordering = ["-disposed_on", "-id"]
        indexes = [models.Index(fields=["program", "disposed_on"], name="disposal_program_date")]
        constraints = [
            # One manifest is one hand-over: recording it twice would count its syringes twice.
            models.UniqueConstraint(
                fields=["program", "manifest_number"], name="disposal_unique_manifest"
            ),
            models.CheckConstraint(
                condition=models.Q(containers__gte=1), name="disposal_containers_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.disposed_on}: {self.manifest_number}"


class OverdoseReversal(models.Model):
    """A reported overdose reversal: counted for funders, never more precise than needed."""

    class Outcome(models.TextChoices):
        SURVIVED = "survived", _("Survived")
        DIED = "died", _("Died")
        UNKNOWN = "unknown", _("Unknown")

    class EmsCalled(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        UNKNOWN = "unknown", _("Unknown")

    class KitSource(models.TextChoices):
        THIS_PROGRAM = "this_program", _("This program")
        OTHER_PROGRAM = "other_program", _("Another program")
        PHARMACY = "pharmacy", _("Pharmacy")
        OTHER = "other", _("Other")
        UNKNOWN = "unknown", _("Unknown")

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    reported_on = models.DateField(_("date of the overdose"))
    place = models.CharField(
        _("area"), max_length=80, help_text=_("A neighbourhood or area, never an address.")
    )
    doses_used = models.PositiveSmallIntegerField(_("naloxone doses used"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    ems_called = models.CharField(_("EMS called"), max_length=10, choices=EmsCalled.choices)
    kit_source = models.CharField(
        _("where the naloxone came from"), max_length=20, choices=KitSource.choices
    )
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reversals_reported",
        verbose_name=_("reported by participant"),
    )
    # Told at an encounter: the encounter's count of reversals already holds it, so the
    # measures count it there once (reports.measures.sources.reversal_reports).
    encounter = models.ForeignKey(
        "encounters.Encounter",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reversal_reports",
        verbose_name=_("told at the encounter"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("overdose reversal")
        verbose_name_plural = _("overdose reversals")
        ordering = ["-reported_on", "-id"]
        indexes = [models.Index(fields=["program", "reported_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(doses_used__gte=1), name="reversal_doses_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reported_on}: {self.place}"


class StockAlertDigest(models.Model):
    """A manager got the program's stock alert digest for that program-date.

    Written only after the mail server took the email, so a retry or a second run that day
    sends nothing more to this manager, and a failed send is tried again for this manager
    alone (accounts.mail.send_once).
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()  # the program's date, not the server's
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "recipient", "day"],
                name="stockalertdigest_once_per_recipient_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.recipient} {self.day}"
