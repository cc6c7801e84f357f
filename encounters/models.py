"""The visit: an encounter and the supplies given at it, and the summary tables the
database keeps from them for the dashboards.

The tables keep the names they had when encounters lived in the participants app.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Location, Program
from participants.models import Participant
from supplies.models import Item


class Encounter(models.Model):
    """One contact with a participant, or an anonymous one, and what was given and done."""

    class Kind(models.TextChoices):
        FIXED_SITE = "fixed_site", _("Fixed site")
        MOBILE_UNIT = "mobile_unit", _("Mobile unit")
        STREET_OUTREACH = "street_outreach", _("Street outreach")
        HOME_DELIVERY = "home_delivery", _("Home delivery")
        MAIL = "mail", _("Mail")

    class RefillReason(models.TextChoices):
        USED = "used", _("Used it")
        LOST = "lost", _("Lost or taken")
        GIVEN_AWAY = "given_away", _("Gave it away")

    # The client may make the id, so a retried or offline-queued submission is stored once.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="encounters", verbose_name=_("program")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="encounters",
        verbose_name=_("participant"),
        help_text=_("Empty for an anonymous encounter."),
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="encounters", verbose_name=_("location")
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="encounters",
        verbose_name=_("staff"),
    )
    occurred_at = models.DateTimeField(_("time"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    syringes_collected = models.PositiveIntegerField(_("used syringes collected"), default=0)
    secondary_distribution_for = models.PositiveIntegerField(
        _("also for how many others"), default=0
    )
    overdose_reversals_reported = models.PositiveSmallIntegerField(
        _("overdose reversals reported"), default=0
    )
    naloxone_refill_reason = models.CharField(
        _("naloxone refill: what happened to the last kit"),
        max_length=20,
        choices=RefillReason.choices,
        blank=True,
        help_text=_("Empty when no naloxone replaced an earlier kit."),
    )
    hiv_test = models.BooleanField(_("HIV test"), default=False)
    hcv_test = models.BooleanField(_("HCV test"), default=False)
    wound_care = models.BooleanField(_("wound care"), default=False)
    naloxone_training = models.BooleanField(_("naloxone training"), default=False)
    counselling = models.BooleanField(_("counselling"), default=False)
    note = models.CharField(_("note"), max_length=280, blank=True)
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)
    # A voided encounter stays for managers to see, marked, and counts in no measure: the
    # summary triggers (encounters migration 0003) and reports.measures read live rows only.
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("voided by"),
    )
    void_reason = models.CharField(
        _("why it was voided"), max_length=280, blank=True, default="", db_default=""
    )

    SERVICE_FIELDS = ("hiv_test", "hcv_test", "wound_care", "naloxone_training", "counselling")

    class Meta:
        db_table = "participants_encounter"
        verbose_name = _("encounter")
        verbose_name_plural = _("encounters")
        ordering = ["-occurred_at", "-id"]
        permissions = [("backdate_encounter", _("Can record encounters of past days"))]
        indexes = [
            # Covering: distinct participants and locations of a period by index-only scans.
            models.Index(
                fields=["program", "-occurred_at"],
                name="encounter_program_time",
                include=["participant", "location", "kind"],
            ),
            models.Index(fields=["location", "-occurred_at"], name="encounter_location_time"),
            models.Index(fields=["staff", "-occurred_at"], name="encounter_staff_time"),
            models.Index(fields=["participant", "-occurred_at"], name="encounter_participant_time"),
            models.Index(fields=["program", "kind", "-occurred_at"], name="encounter_kind_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(voided_at__isnull=True, void_reason="")
                | models.Q(voided_at__isnull=False) & ~models.Q(void_reason=""),
                name="encounter_voided_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.participant or _('anonymous')}"

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    @property
    def services(self) -> list[str]:
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in self.SERVICE_FIELDS
            if getattr(self, name)
        ]


class EncounterSupply(models.Model):
    """A line of an encounter: how many of one item were given."""

    encounter = models.ForeignKey(Encounter, on_delete=models.CASCADE, related_name="supplies")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        db_table = "participants_encountersupply"
        verbose_name = _("supply given")
        verbose_name_plural = _("supplies given")
        constraints = [
            models.UniqueConstraint(
                fields=["encounter", "item"], name="encountersupply_unique_item"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="encountersupply_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.item}"


class DailyEncounterTotals(models.Model):
    """Encounters of one local day, location and kind, summed: what dashboards add up.

    Kept right by PostgreSQL triggers on every insert, update and delete of encounters, whatever
    code path writes them, COPY included (their SQL is in the migrations: participants 0003).
    Read only by reports.measures; elsewhere (SQLite) the measures read the encounters.
    """

    program = models.ForeignKey(
        Program, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    day = models.DateField()
    location = models.ForeignKey(
        Location, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Encounter.Kind.choices)
    encounters = models.IntegerField(default=0)
    anonymous_encounters = models.IntegerField(default=0)
    syringes_collected = models.BigIntegerField(default=0)
    reversals_reported = models.IntegerField(default=0)
    secondary_distribution_for = models.IntegerField(default=0)
    naloxone_refills = models.IntegerField(default=0)

    class Meta:
        db_table = "participants_dailyencountertotals"
        verbose_name = _("daily encounter totals")
        verbose_name_plural = _("daily encounter totals")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "day", "location", "kind"], name="dailyencountertotals_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.location_id} {self.kind}: {self.encounters}"


class DailySupplyTotals(models.Model):
    """Units of one item handed out on one local day, location and kind, summed; `for_others`
    marks encounters where the participant also took supplies for others. Kept by triggers
    like DailyEncounterTotals."""

    program = models.ForeignKey(
        Program, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    day = models.DateField()
    location = models.ForeignKey(
        Location, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Encounter.Kind.choices)
    item = models.ForeignKey(
        Item, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    for_others = models.BooleanField(default=False)
    quantity = models.BigIntegerField(default=0)

    class Meta:
        db_table = "participants_dailysupplytotals"
        verbose_name = _("daily supply totals")
        verbose_name_plural = _("daily supply totals")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "day", "location", "kind", "item", "for_others"],
                name="dailysupplytotals_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.location_id} {self.kind} item {self.item_id}: {self.quantity}"


class DailySupplyCategoryTotals(models.Model):
    """DailySupplyTotals summed by what the dashboard counts (syringes, test strips by kind,
    educational materials, naloxone doses) instead of by item: a sixth of the rows to add up
    and no join to the catalogue. Kept by PostgreSQL triggers (encounters migration 0004) on
    every change of DailySupplyTotals and on a change of an item's category, test strip kind
    or doses per unit."""

    program = models.ForeignKey(
        Program, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    day = models.DateField()
    location = models.ForeignKey(
        Location, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Encounter.Kind.choices)
    for_others = models.BooleanField(default=False)
    syringes = models.BigIntegerField(default=0)
    test_strips = models.BigIntegerField(default=0)
    fentanyl_test_strips = models.BigIntegerField(default=0)
    xylazine_test_strips = models.BigIntegerField(default=0)
    educational = models.BigIntegerField(default=0)
    naloxone_doses = models.BigIntegerField(default=0)

    class Meta:
        db_table = "encounters_dailysupplycategorytotals"
        verbose_name = _("daily supply totals by category")
        verbose_name_plural = _("daily supply totals by category")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "day", "location", "kind", "for_others"],
                name="dailysupplycategorytotals_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.location_id} {self.kind}: {self.syringes} syringes"


class ParticipantMonth(models.Model):
    """That a participant had encounters in a local month at a location and kind, and how
    many: distinct participants of whole months are counted here, not over every encounter.
    Kept by the same triggers as DailyEncounterTotals; a row goes when its count reaches 0."""

    program = models.ForeignKey(
        Program, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    month = models.DateField(help_text=_("The first day of the month."))
    participant = models.ForeignKey(
        Participant, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    location = models.ForeignKey(
        Location, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Encounter.Kind.choices)
    encounters = models.IntegerField(default=0)

    class Meta:
        db_table = "participants_participantmonth"
        verbose_name = _("participant month")
        verbose_name_plural = _("participant months")
        constraints = [
            # Its index serves the counts: program and months first, then who, where and how.
            models.UniqueConstraint(
                fields=["program", "month", "participant", "location", "kind"],
                name="participantmonth_unique",
            ),
        ]
        indexes = [
            # "Seen before this month?" for new participants.
            models.Index(fields=["participant", "month"], name="participantmonth_history"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.participant_id} @ {self.location_id}: {self.encounters}"


class ParticipantFirstMonth(models.Model):
    """The local month of a participant's first encounter ever: new participants of whole
    months are counted here. Kept by the same triggers, from ParticipantMonth."""

    participant = models.OneToOneField(
        Participant,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="+",
    )
    program = models.ForeignKey(
        Program, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    first_month = models.DateField()

    class Meta:
        db_table = "participants_participantfirstmonth"
        verbose_name = _("participant's first month")
        verbose_name_plural = _("participants' first months")
        indexes = [
            models.Index(fields=["program", "first_month"], name="participantfirstmonth_month"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.first_month:%Y-%m}"


class ParticipantYear(models.Model):
    """ParticipantMonth by local calendar year: distinct participants of whole years."""

    program = models.ForeignKey(
        Program, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    year = models.DateField(help_text=_("The first day of the year."))
    participant = models.ForeignKey(
        Participant, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    location = models.ForeignKey(
        Location, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Encounter.Kind.choices)
    encounters = models.IntegerField(default=0)

    class Meta:
        db_table = "participants_participantyear"
        verbose_name = _("participant year")
        verbose_name_plural = _("participant years")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "year", "participant", "location", "kind"],
                name="participantyear_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year:%Y} {self.participant_id} @ {self.location_id}: {self.encounters}"


class SeenParticipants(models.Model):
    """The participants seen in one closed day or month of a program, at one location and of
    one kind (or all of them: no location, blank kind), as a compressed bitmap of their ids.

    A cache for exact distinct counts over any period: reports.measures.people ORs the sets of
    a period's months and edge days and counts the bits. Rows are built on demand for days
    before the program's today only, and deleted by the database triggers (encounters migration
    0002) whenever an encounter of their day changes, so a row present is always right.
    """

    class Grain(models.TextChoices):
        DAY = "day", _("Day")
        MONTH = "month", _("Month")

    program = models.ForeignKey(
        Program, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    grain = models.CharField(max_length=5, choices=Grain.choices)
    start = models.DateField(help_text=_("The day, or the first day of the month."))
    location = models.ForeignKey(
        Location, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", null=True
    )
    kind = models.CharField(max_length=20, blank=True)
    participants = models.BinaryField(help_text=_("A serialized roaring bitmap of ids."))
    count = models.IntegerField()

    class Meta:
        db_table = "encounters_seenparticipants"
        verbose_name = _("participants seen")
        verbose_name_plural = _("participants seen")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "grain", "start", "location", "kind"],
                name="seenparticipants_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.start} @ {self.location_id or '*'}: {self.count}"
