"""Every change of stock goes through here: a movement appended and the cached level moved with it.

Each function runs in one transaction. Levels only fall through a conditional UPDATE
(`on_hand >= n`), after the rows were locked in first-expiry order, so two workers handing out
the last box at once can never take it twice: the second gets InsufficientStock.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Case, F, Q, Sum, When
from django.utils.translation import gettext as _

from accounts.models import Location, User
from audit.services import record_action
from core.errors import DomainError
from core.translated_names import translated_languages
from supplies.models import (
    FundingSource,
    Item,
    Kit,
    Lot,
    StockLevel,
    StockMovement,
)

Kind = StockMovement.Kind


class StockError(DomainError):
    """A stock change that cannot be made, with a message for the person who asked."""


class InsufficientStock(StockError):
    pass


def check_location(by: User, *locations: Location) -> None:
    for location in locations:
        if location.program_id != by.program_id:
            raise StockError(_("No such location in your program."))


def _check_item(by: User, item: Item) -> None:
    if item.program_id != by.program_id:
        raise StockError(_("No such item in your program."))


def _move(
    *,
    by: User,
    location: Location,
    lot: Lot,
    kind: str,
    quantity: int,
    reason: str = "",
    supplier: str = "",
    encounter_supply=None,
    training_session=None,
    transfer_id: uuid.UUID | None = None,
) -> StockMovement:
    """Append one movement and change the cached level by the same amount, never below zero."""
    level, _created = StockLevel.objects.get_or_create(location=location, lot=lot)
    changed = StockLevel.objects.filter(pk=level.pk, on_hand__gte=-min(quantity, 0)).update(
        on_hand=F("on_hand") + quantity
    )
    if not changed:
        raise InsufficientStock(
            _("Only %(count)d of %(lot)s left at %(location)s.")
            % {
                "count": StockLevel.objects.get(pk=level.pk).on_hand,
                "lot": lot,
                "location": location,
            }
        )
    return StockMovement.objects.create(
        program_id=location.program_id,
        location=location,
        lot=lot,
        kind=kind,
        quantity=quantity,
        by=by,
        reason=reason,
        supplier=supplier,
        encounter_supply=encounter_supply,
        training_session=training_session,
        transfer_id=transfer_id,
    )


@transaction.atomic
def receive_shipment(
    *,
    by: User,
    location: Location,
    item: Item,
    quantity: int,
    lot_number: str = "",
    expires_on: date | None = None,
    funding_source: FundingSource | None = None,
    supplier: str = "",
) -> StockMovement:
    """Add a delivery to a location's stock, creating its lot if new."""
    check_location(by, location)
    _check_item(by, item)
    lot_number = lot_number.strip()
    if quantity <= 0:
        raise StockError(_("A shipment needs a quantity above zero."))
    if item.tracks_lots and not (lot_number and expires_on):
        raise StockError(_("%(item)s needs a lot number and an expiry date.") % {"item": item})
    if funding_source is not None and funding_source.program_id != by.program_id:
        raise StockError(_("No such funding source in your program."))
    # Lock the item so two deliveries of a new lot at once make one lot, not two: a unique
    # constraint cannot help while expiry or funding source may be empty (NULLs are distinct).
    Item.objects.select_for_update().filter(pk=item.pk).first()
    lot, _created = Lot.objects.get_or_create(
        item=item,
        lot_number=lot_number,
        expires_on=expires_on,
        funding_source=funding_source,
    )
    movement = _move(
        by=by, location=location, lot=lot, kind=Kind.RECEIVED, quantity=quantity, supplier=supplier
    )
    record_action(
        actor=by,
        action="supplies.stock.received",
        target=movement,
        program=location.program,
        details={"quantity": quantity},
    )
    return movement


@dataclass(frozen=True)
class Handout:
    """One item to hand out; `encounter_supply` is the encounter line it is for, if any."""

    item: Item
    quantity: int
    encounter_supply: object = None


@transaction.atomic
def distribute_item(
    *,
    by: User,
    location: Location,
    item: Item,
    quantity: int,
    encounter_supply=None,
    training_session=None,
) -> list[StockMovement]:
    """Take `quantity` of an item from a location, first expiry first out, across lots."""
    return distribute_items(
        by=by,
        location=location,
        handouts=[Handout(item, quantity, encounter_supply)],
        training_session=training_session,
    )


@transaction.atomic
def distribute_items(
    *,
    by: User,
    location: Location,
    handouts: list[Handout],
    training_session=None,
    batch: "HandoutBatch | None" = None,
) -> list[StockMovement]:
    """Take several items from a location, each first expiry first out, all or nothing.

    One locking read for every lot of the items, one conditional UPDATE for the lots touched and
    one INSERT for all the movements: an encounter's bundle costs a handful of queries, not a
    handful per item. Within a `batch` (a sync chunk) it costs none: the batch read the levels
    and writes what was taken when the chunk ends (the movements returned are then unsaved).
    """
    check_location(by, location)
    for handout in handouts:
        _check_item(by, handout.item)
        if handout.quantity <= 0:
            raise StockError(_("A quantity to hand out must be above zero."))
    if batch is not None and training_session is None and location.pk in batch.levels:
        return batch.take(by=by, location=location, handouts=handouts)
    # Locked in one statement, in one order (expiry, lot), so two hand-outs at one location
    # queue behind each other instead of deadlocking.
    levels = list(
        _levels_to_take_from()
        .filter(location=location, lot__item__in={handout.item.pk for handout in handouts})
        .order_by(F("lot__expires_on").asc(nulls_last=True), "lot_id")
    )
    taken, movements = _allocate(
        by=by,
        location=location,
        levels=levels,
        handouts=handouts,
        taken_before={},
        training_session=training_session,
    )
    _take_from_levels(taken)
    return StockMovement.objects.bulk_create(movements)


def _levels_to_take_from():
    return (
        StockLevel.objects.select_for_update(of=("self",))
        .filter(on_hand__gt=0)
        .select_related("lot")
    )


def _allocate(
    *, by, location, levels, handouts, taken_before: dict[int, int], training_session=None
) -> tuple[dict[int, int], list[StockMovement]]:
    """What each handout takes from `levels` (locked, first expiry first) beyond what was
    `taken_before`: (level id -> quantity, the movements), or InsufficientStock."""
    movements = []
    taken: dict[int, int] = {}  # level id -> taken so far by this call

    def left(level) -> int:
        return level.on_hand - taken_before.get(level.pk, 0) - taken.get(level.pk, 0)

    for handout in handouts:
        item_levels = [level for level in levels if level.lot.item_id == handout.item.pk]
        available = sum(left(level) for level in item_levels)
        if available < handout.quantity:
            raise InsufficientStock(
                _("Only %(count)d of %(item)s left at %(location)s.")
                % {"count": available, "item": handout.item, "location": location}
            )
        remaining = handout.quantity
        for level in item_levels:
            if remaining == 0:
                break
            take = min(left(level), remaining)
            if take <= 0:
                continue
            taken[level.pk] = taken.get(level.pk, 0) + take
            remaining -= take
            movements.append(
                StockMovement(
                    program_id=location.program_id,
                    location=location,
                    lot=level.lot,
                    kind=Kind.DISTRIBUTED,
                    quantity=-take,
                    by=by,
                    encounter_supply=handout.encounter_supply,
                    training_session=training_session,
                )
            )
    return taken, movements


def _take_from_levels(taken: dict[int, int]) -> None:
    """One UPDATE for every level taken from. The rows are locked, so each still holds what
    was read; the condition and the on_hand >= 0 constraint stay as the last guards."""
    if not taken:
        return
    enough = Q()
    for level_id, quantity in taken.items():
        enough |= Q(pk=level_id, on_hand__gte=quantity)
    changed = StockLevel.objects.filter(enough).update(
        on_hand=Case(
            *(
                When(pk=level_id, then=F("on_hand") - quantity)
                for level_id, quantity in taken.items()
            ),
            default=F("on_hand"),
        )
    )
    if changed != len(taken):
        raise InsufficientStock(_("The stock changed meanwhile. Try again."))


class HandoutBatch:
    """Hand-outs of many encounters in one transaction (a chunk of a sync batch): the stock
    levels of their locations are locked and read in one query, each hand-out takes from them
    in memory (all or nothing, as distribute_items), and `write()` stores every level change in
    one UPDATE and every movement in one INSERT before the transaction ends. An encounter that
    is not stored after all gives back what it took (`mark()`, `give_back()`)."""

    def __init__(self, *, program_id: int, location_ids):
        self.program_id = program_id
        self.levels: dict[int, list[StockLevel]] = {}
        self.taken: dict[int, int] = {}
        self.movements: list[StockMovement] = []
        self._lock_levels(location_ids)

    def _lock_levels(self, location_ids) -> None:
        location_ids = [pk for pk in location_ids if pk not in self.levels]
        self.levels.update({location_id: [] for location_id in location_ids})
        found = (
            _levels_to_take_from()
            .filter(location_id__in=location_ids, location__program_id=self.program_id)
            .order_by("location_id", F("lot__expires_on").asc(nulls_last=True), "lot_id")
        )
        for level in found:
            self.levels[level.location_id].append(level)

    def mark(self) -> tuple[dict[int, int], int]:
        """Where the batch stands before an encounter: give_back(mark) if it is not stored."""
        return dict(self.taken), len(self.movements)

    def give_back(self, mark: tuple[dict[int, int], int]) -> None:
        """Forget what was taken since `mark`, as the encounter's savepoint rolled back."""
        self.taken, self.movements = dict(mark[0]), self.movements[: mark[1]]

    def take(self, *, by: User, location: Location, handouts: list[Handout]) -> list[StockMovement]:
        if location.pk not in self.levels:  # a location the chunk's first read did not foresee
            self._lock_levels([location.pk])
        taken, movements = _allocate(
            by=by,
            location=location,
            levels=self.levels[location.pk],
            handouts=handouts,
            taken_before=self.taken,
        )
        for level_id, quantity in taken.items():
            self.taken[level_id] = self.taken.get(level_id, 0) + quantity
        self.movements.extend(movements)
        return movements

    def write(self) -> None:
        _take_from_levels(self.taken)
        StockMovement.objects.bulk_create(self.movements)
        self.taken, self.movements = {}, []


@transaction.atomic
def return_encounter_supplies(*, by: User, encounter, reason: str = "") -> None:
    """Put back what an encounter took, lot by lot (the encounter is undone, corrected or
    voided). The returns name no supply line, so call it once, then delete or void the lines."""
    taken = (
        StockMovement.objects.filter(encounter_supply__encounter=encounter)
        .values("location_id", "lot_id")
        .annotate(total=Sum("quantity"))
    )
    for row in taken:
        if row["total"] < 0:
            _move(
                by=by,
                location=Location.objects.get(pk=row["location_id"]),
                lot=Lot.objects.get(pk=row["lot_id"]),
                kind=Kind.RETURNED,
                quantity=-row["total"],
                reason=reason or _("Encounter undone"),
            )


@transaction.atomic
def transfer_stock(
    *, by: User, lot: Lot, quantity: int, from_location: Location, to_location: Location
) -> uuid.UUID:
    """Move units of a lot from one location to another as one action."""
    check_location(by, from_location, to_location)
    _check_item(by, lot.item)
    if from_location.pk == to_location.pk:
        raise StockError(_("Choose two different locations."))
    if quantity <= 0:
        raise StockError(_("A transfer needs a quantity above zero."))
    transfer_id = uuid.uuid4()
    # Lock in a fixed order so two opposite transfers cannot deadlock.
    list(
        StockLevel.objects.select_for_update()
        .filter(lot=lot, location__in=[from_location, to_location])
        .order_by("pk")
    )
    _move(
        by=by,
        location=from_location,
        lot=lot,
        kind=Kind.TRANSFERRED_OUT,
        quantity=-quantity,
        transfer_id=transfer_id,
    )
    _move(
        by=by,
        location=to_location,
        lot=lot,
        kind=Kind.TRANSFERRED_IN,
        quantity=quantity,
        transfer_id=transfer_id,
    )
    record_action(
        actor=by,
        action="supplies.stock.transferred",
        program=from_location.program,
        details={
            "lot": lot.pk,
            "quantity": quantity,
            "from": from_location.pk,
            "to": to_location.pk,
            "transfer": str(transfer_id),
        },
    )
    return transfer_id


REMOVAL_KINDS = {Kind.EXPIRED, Kind.WASTED}


@transaction.atomic
def adjust_stock(
    *, by: User, location: Location, lot: Lot, change: int, reason: str, kind: str = Kind.ADJUSTED
) -> StockMovement:
    """Correct a level with a reason; expired and wasted stock only ever goes down."""
    check_location(by, location)
    _check_item(by, lot.item)
    if kind not in REMOVAL_KINDS | {Kind.ADJUSTED}:
        raise StockError(_("Choose adjusted, expired or wasted."))
    if not reason.strip():
        raise StockError(_("Give a reason for the adjustment."))
    if change == 0:
        raise StockError(_("An adjustment needs a change other than zero."))
    if kind in REMOVAL_KINDS and change > 0:
        change = -change
    movement = _move(
        by=by, location=location, lot=lot, kind=kind, quantity=change, reason=reason.strip()
    )
    record_action(
        actor=by,
        action=f"supplies.stock.{kind}",
        target=movement,
        program=location.program,
        details={"change": change, "reason": reason},
    )
    return movement


@transaction.atomic
def reconcile_count(
    *, by: User, location: Location, counts: dict[int, int], reason: str = ""
) -> list[StockMovement]:
    """Turn a physical count (lot id -> units counted) into adjustment movements."""
    check_location(by, location)
    if any(counted < 0 for counted in counts.values()):
        raise StockError(_("A count cannot be negative."))
    levels = {
        level.lot_id: level
        for level in StockLevel.objects.select_for_update(of=("self",))
        .filter(location=location, lot_id__in=counts)
        .select_related("lot__item")
    }
    unknown = set(counts) - set(levels)
    lots = Lot.objects.filter(pk__in=unknown, item__program_id=by.program_id).select_related("item")
    if len(lots) != len(unknown):
        raise StockError(_("A counted lot is not in your program."))
    movements = []
    reason = reason.strip() or _("Physical count")
    for lot_id, counted in sorted(counts.items()):
        level = levels.get(lot_id)
        lot = level.lot if level else next(lot for lot in lots if lot.pk == lot_id)
        change = counted - (level.on_hand if level else 0)
        if change:
            movements.append(
                _move(
                    by=by,
                    location=location,
                    lot=lot,
                    kind=Kind.ADJUSTED,
                    quantity=change,
                    reason=reason,
                )
            )
    record_action(
        actor=by,
        action="supplies.stock.counted",
        program=location.program,
        details={"location": location.pk, "adjustments": len(movements)},
    )
    return movements


# --- Names in other languages -------------------------------------------------------------------


@transaction.atomic
def translate_names(*, by: User, names: dict[Item | Kit | Location, dict[str, str]]) -> int:
    """Set the names of the program's items, kits and locations in the other languages (an
    empty name falls back to the name as entered); one audit entry per row changed. Returns
    how many rows changed."""
    if not by.is_manager:
        raise StockError(_("Only a manager can rename the catalogue."))
    languages = {code for code, _name in translated_languages()}
    changed = 0
    for row, translations in names.items():
        if not isinstance(row, Item | Kit | Location) or row.program_id != by.program_id:
            raise StockError(_("No such item, kit or location in your program."))
        wanted = {
            code: text.strip()
            for code, text in translations.items()
            if code in languages and text.strip()
        }
        kept = {
            code: text
            for code, text in row.name_translations.items()
            if code not in languages or code not in translations
        }
        new = {**kept, **wanted}
        if new == row.name_translations:
            continue
        type(row).objects.filter(pk=row.pk).update(name_translations=new)
        row.name_translations = new
        record_action(
            actor=by,
            action="supplies.names.translated",
            target=row,
            details={
                "name": row.name,
                "translations": ", ".join(f"{code}: {text}" for code, text in sorted(new.items())),
            },
        )
        changed += 1
    return changed
