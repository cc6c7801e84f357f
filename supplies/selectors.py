from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts.models import Location, Program, User
from core.translated_names import localized_name_order
from supplies.models import (
    Item,
    Kit,
    KitItem,
    Lot,
    ReorderLevel,
    SharpsDisposal,
    StockLevel,
    StockMovement,
)


def items_for(user: User) -> QuerySet[Item]:
    """Items of the user's program catalogue, in display order then by the name in the active
    language; none for funders and administrators."""
    if not user.is_authenticated or not user.is_program_staff:
        return Item.objects.none()
    return Item.objects.filter(program_id=user.program_id).order_by(
        "display_order", localized_name_order()
    )


def sharps_disposals_for(user: User) -> QuerySet[SharpsDisposal]:
    """Sharps disposals of the user's program, newest first; none outside program staff."""
    if not user.is_authenticated or not user.is_program_staff:
        return SharpsDisposal.objects.none()
    return (
        SharpsDisposal.objects.filter(program_id=user.program_id)
        .select_related("location")
        .order_by("-disposed_on", "-id")
    )


def catalogue_for(user: User) -> list[Item]:
    """Active items in display order, for the encounter counters."""
    return list(items_for(user).filter(is_active=True))


def kits_for(user: User) -> QuerySet[Kit]:
    """Active kits of the user's program with their lines (two queries), by the name in the
    active language; lines in the catalogue's order."""
    if not user.is_authenticated or not user.is_program_staff:
        return Kit.objects.none()
    lines = KitItem.objects.select_related("item").order_by(
        "item__display_order", localized_name_order("item")
    )
    return (
        Kit.objects.filter(program_id=user.program_id, is_active=True)
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by(localized_name_order())
    )


def usual_bundle_quantities(user: User) -> dict[int, int]:
    """Item id -> quantity of the program's usual bundle, preselected on the encounter screen."""
    bundle_id = user.program.usual_bundle_id if user.program_id else None
    if bundle_id is None:
        return {}
    return dict(
        KitItem.objects.filter(kit_id=bundle_id, item__is_active=True).values_list(
            "item_id", "quantity"
        )
    )


def stock_levels(user: User, *, location_id: int | None = None) -> QuerySet[StockLevel]:
    """Lots on hand at the user's program locations, by location, item (names in the active
    language) and expiry."""
    if not user.is_authenticated or not user.is_program_staff:
        return StockLevel.objects.none()
    levels = StockLevel.objects.filter(location__program_id=user.program_id, on_hand__gt=0)
    if location_id:
        levels = levels.filter(location_id=location_id)
    return levels.select_related("location", "lot__item", "lot__funding_source").order_by(
        localized_name_order("location"),
        "lot__item__display_order",
        localized_name_order("lot__item"),
        F("lot__expires_on").asc(nulls_last=True),
    )


def movements_for(user: User) -> QuerySet[StockMovement]:
    """The stock ledger of the user's program, newest first."""
    if not user.is_authenticated or not user.is_program_staff:
        return StockMovement.objects.none()
    return (
        StockMovement.objects.filter(program_id=user.program_id)
        .select_related("location", "lot__item", "by")
        .order_by("-at", "-id")
    )


def lots_for(user: User) -> QuerySet[Lot]:
    if not user.is_authenticated or not user.is_program_staff:
        return Lot.objects.none()
    return Lot.objects.filter(item__program_id=user.program_id).select_related("item")


@dataclass(frozen=True)
class LowStock:
    location: Location
    item: Item
    on_hand: int
    minimum: int


def low_stock(program_id: int) -> list[LowStock]:
    """Items under their location's reorder level (one aggregate query)."""
    rows = (
        ReorderLevel.objects.filter(location__program_id=program_id, location__is_active=True)
        .annotate(
            on_hand=Coalesce(
                Sum(
                    "location__stock_levels__on_hand",
                    filter=Q(location__stock_levels__lot__item=F("item")),
                ),
                0,
            )
        )
        .filter(on_hand__lt=F("minimum"))
        .select_related("location", "item")
        .order_by(
            localized_name_order("location"), "item__display_order", localized_name_order("item")
        )
    )
    return [LowStock(row.location, row.item, row.on_hand, row.minimum) for row in rows]


def expiring_naloxone(program: Program, *, today: date | None = None) -> QuerySet[StockLevel]:
    """Naloxone on hand whose lot expires within the program's alert days of `today` (the
    program's today unless given), or has expired."""
    horizon = (today or program.today()) + timedelta(days=program.naloxone_expiry_alert_days)
    return (
        StockLevel.objects.filter(
            location__program_id=program.pk,
            on_hand__gt=0,
            lot__item__category=Item.Category.NALOXONE,
            lot__expires_on__lte=horizon,
        )
        .select_related("location", "lot__item")
        .order_by("lot__expires_on", localized_name_order("location"))
    )


@dataclass(frozen=True)
class StockAlerts:
    low: list[LowStock]
    expiring: list[StockLevel]

    def __bool__(self) -> bool:
        return bool(self.low or self.expiring)


def stock_alerts(program: Program) -> StockAlerts:
    """What a manager must act on: items under their reorder level and naloxone near expiry."""
    return StockAlerts(low=low_stock(program.pk), expiring=list(expiring_naloxone(program)))
