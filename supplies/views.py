from datetime import datetime, time, timedelta

from django.contrib import messages
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from accounts.access import manager_required, program_staff_required
from accounts.models import Location, User
from accounts.selectors import locations_for
from core.pagination import keyset_page
from participants.selectors import participants_for
from supplies import field_records, selectors, services
from supplies.forms import (
    AdjustForm,
    CountSheetForm,
    MovementFilterForm,
    NameTranslationsForm,
    OverdoseReversalForm,
    ReceiveForm,
    SharpsDisposalForm,
    StockFilterForm,
    SyringeCollectionForm,
    TransferForm,
)
from supplies.models import (
    FundingSource,
    Item,
    OverdoseReversal,
    SharpsDisposal,
    StockLevel,
    StockMovement,
    SyringeCollection,
)

MOVEMENT_PAGE_SIZE = 100
RECENT_REPORTS = 20


def _active_locations(user: User) -> QuerySet[Location]:
    return locations_for(user).filter(is_active=True)


def _levels_on_hand(user: User) -> list[StockLevel]:
    """Every lot on hand in the program, for the lot pickers (one query)."""
    return list(selectors.stock_levels(user))


# --- Stock levels -----------------------------------------------------------------------------


@require_GET
@program_staff_required
def stock(request):
    """Stock on hand, one row per lot and location; expired and expiring naloxone stand out."""
    user = request.user
    form = StockFilterForm(request.GET or None, locations=locations_for(user))
    today = user.program.today()
    horizon = today + timedelta(days=user.program.naloxone_expiry_alert_days)
    location_id = form.location_id()
    rows = [
        {"level": level, "expiry": _expiry_status(level, today=today, horizon=horizon)}
        for level in selectors.stock_levels(user, location_id=location_id)
    ]
    # The locations the user works at come first: on a phone, their own bag or van is on top.
    own = set(locations_for(user).filter(staff=user).values_list("pk", flat=True))
    rows.sort(key=lambda row: row["level"].location_id not in own)
    return render(
        request,
        "supplies/stock.html",
        {
            "form": form,
            "rows": rows,
            "location_id": location_id,
            "alert_days": user.program.naloxone_expiry_alert_days,
        },
    )


def _expiry_status(level: StockLevel, *, today, horizon) -> str:
    """'expired', 'expiring' (naloxone within the program's alert days) or ''."""
    expires_on = level.lot.expires_on
    if expires_on is None:
        return ""
    if expires_on < today:
        return "expired"
    if level.lot.item.category == Item.Category.NALOXONE and expires_on <= horizon:
        return "expiring"
    return ""


@manager_required
def receive(request):
    user = request.user
    form = ReceiveForm(
        request.POST or None,
        locations=_active_locations(user),
        items=selectors.items_for(user).filter(is_active=True),
        funding_sources=FundingSource.objects.filter(program_id=user.program_id),
        today=user.program.today(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            movement = services.receive_shipment(
                by=user,
                location=data["location"],
                item=data["item"],
                quantity=data["quantity"],
                lot_number=data["lot_number"],
                expires_on=data["expires_on"],
                funding_source=data["funding_source"],
                supplier=data["supplier"],
            )
        except services.StockError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Received %(quantity)d of %(lot)s at %(location)s.")
                % {
                    "quantity": movement.quantity,
                    "lot": movement.lot,
                    "location": movement.location,
                },
            )
            return redirect(_stock_url(movement.location_id))
    return render(request, "supplies/receive.html", {"form": form})


def _stock_url(location_id: int) -> str:
    return f"{reverse('supplies:stock')}?location={location_id}"


@manager_required
def transfer(request):
    user = request.user
    form = TransferForm(
        request.POST or None,
        levels=_levels_on_hand(user),
        lots=selectors.lots_for(user),
        locations=_active_locations(user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.transfer_stock(
                by=user,
                lot=data["lot"],
                quantity=data["quantity"],
                from_location=data["from_location"],
                to_location=data["to_location"],
            )
        except services.StockError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Moved %(quantity)d of %(lot)s from %(from)s to %(to)s.")
                % {
                    "quantity": data["quantity"],
                    "lot": data["lot"],
                    "from": data["from_location"],
                    "to": data["to_location"],
                },
            )
            return redirect(_stock_url(data["to_location"].pk))
    return render(request, "supplies/transfer.html", {"form": form})


@manager_required
def adjust(request):
    user = request.user
    form = AdjustForm(
        request.POST or None,
        levels=_levels_on_hand(user),
        lots=selectors.lots_for(user),
        locations=_active_locations(user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            movement = services.adjust_stock(
                by=user,
                location=data["location"],
                lot=data["lot"],
                change=data["change"],
                reason=data["reason"],
                kind=data["kind"],
            )
        except services.StockError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(kind)s: %(change)+d of %(lot)s at %(location)s.")
                % {
                    "kind": movement.get_kind_display(),
                    "change": movement.quantity,
                    "lot": movement.lot,
                    "location": movement.location,
                },
            )
            return redirect(_stock_url(movement.location_id))
    return render(request, "supplies/adjust.html", {"form": form})


@manager_required
def count_sheet(request, location_id: int):
    """A physical count of one location: only the lots given a number are reconciled.

    Showing the result on the POST response is safe: submitting the same count again
    changes nothing, since each level already equals its count.
    """
    user = request.user
    location = get_object_or_404(locations_for(user), pk=location_id)
    levels = list(selectors.stock_levels(user, location_id=location.pk))
    changes = None
    if request.method == "POST":
        on_sheet = {level.lot_id for level in levels}
        extra_lots = selectors.lots_for(user).filter(
            pk__in=CountSheetForm.posted_lot_ids(request.POST) - on_sheet
        )
        form = CountSheetForm(request.POST, levels=levels, extra_lots=extra_lots)
        if form.is_valid():
            try:
                changes = services.reconcile_count(
                    by=user,
                    location=location,
                    counts=form.counts(),
                    reason=form.cleaned_data["reason"],
                )
            except services.StockError as error:
                form.add_error(None, error.message)
            else:
                form = CountSheetForm(
                    levels=list(selectors.stock_levels(user, location_id=location.pk))
                )
    else:
        form = CountSheetForm(levels=levels)
    return render(
        request,
        "supplies/count_sheet.html",
        {"location": location, "form": form, "changes": changes},
    )


# --- The ledger -------------------------------------------------------------------------------


@require_GET
@program_staff_required
def movement_list(request):
    user = request.user
    form = MovementFilterForm(
        request.GET or None, locations=locations_for(user), items=selectors.items_for(user)
    )
    movements = _filtered_movements(selectors.movements_for(user), form, user.program.tzinfo)
    page = keyset_page(request, movements, time_field="at", size=MOVEMENT_PAGE_SIZE)
    return render(
        request,
        "supplies/movement_list.html",
        {
            "form": form,
            "movements": page.rows,
            "older": page.older_url,
            "paged": not page.is_first,
        },
    )


def _filtered_movements(
    movements: QuerySet[StockMovement], form: MovementFilterForm, tzinfo
) -> QuerySet[StockMovement]:
    """The ledger narrowed by the valid filters; dates are days in the program's time zone."""
    if not form.is_bound or not form.is_valid():
        return movements
    data = form.cleaned_data
    if data["location"]:
        movements = movements.filter(location=data["location"])
    if data["item"]:
        movements = movements.filter(lot__item=data["item"])
    if data["kind"]:
        movements = movements.filter(kind=data["kind"])
    if data["date_from"]:
        movements = movements.filter(at__gte=datetime.combine(data["date_from"], time.min, tzinfo))
    if data["date_to"]:
        movements = movements.filter(at__lte=datetime.combine(data["date_to"], time.max, tzinfo))
    return movements


# --- Collections and reversals ----------------------------------------------------------------


@program_staff_required
def collection_new(request):
    """Syringes from a drop box or a clean-up, by count or by weight; recent ones below."""
    user = request.user
    form = SyringeCollectionForm(
        request.POST or None, locations=_active_locations(user), today=user.program.today()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            collection = field_records.record_syringe_collection(
                by=user,
                location=data["location"],
                source=data["source"],
                collected_on=data["collected_on"],
                counted=data["counted"],
                weight_pounds=data["weight_pounds"],
            )
        except services.StockError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Recorded %(count)d syringes collected.") % {"count": collection.syringes},
            )
            return redirect("supplies:collection_new")
    recent = (
        SyringeCollection.objects.filter(program_id=user.program_id)
        .select_related("location")
        .order_by("-collected_on", "-id")[:RECENT_REPORTS]
    )
    return render(request, "supplies/collection_new.html", {"form": form, "recent": recent})


@manager_required
def disposal_new(request):
    """Sharps containers handed to a disposal service; recent hand-overs below."""
    user = request.user
    form = SharpsDisposalForm(
        request.POST or None, locations=_active_locations(user), today=user.program.today()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            disposal = field_records.record_sharps_disposal(
                by=user,
                location=data["location"],
                disposed_on=data["disposed_on"],
                containers=data["containers"],
                weight_pounds=data["weight_pounds"],
                syringes_counted=data["syringes_counted"],
                vendor=data["vendor"],
                manifest_number=data["manifest_number"],
            )
        except services.StockError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Recorded %(count)d syringes disposed (estimated).")
                % {"count": disposal.syringes_estimated},
            )
            return redirect("supplies:disposal_new")
    recent = (
        SharpsDisposal.objects.filter(program_id=user.program_id)
        .select_related("location")
        .order_by("-disposed_on", "-id")[:RECENT_REPORTS]
    )
    return render(request, "supplies/disposal_new.html", {"form": form, "recent": recent})


def _encounter_told_at(user, encounter_id):
    """The live encounter of the user's program the reversal was told at, or None. The
    encounters model is above supplies: reached through the report's field, not imported."""
    if not encounter_id:
        return None
    encounters = OverdoseReversal._meta.get_field("encounter").related_model.objects
    found = encounters.filter(
        pk=encounter_id, program_id=user.program_id, voided_at__isnull=True
    ).first()
    if found is None:
        raise services.StockError(_("No such encounter in your program."))
    return found


@program_staff_required
def reversal_new(request):
    """An overdose reversal someone reported: counted for funders, kept coarse."""
    user = request.user
    form = OverdoseReversalForm(
        request.POST or None,
        participants=participants_for(user),
        today=user.program.today(),
        initial={"encounter": request.GET.get("encounter", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            field_records.report_overdose_reversal(
                by=user,
                participant=data["participant"],
                encounter=_encounter_told_at(user, data.get("encounter")),
                reported_on=data["reported_on"],
                place=data["place"],
                doses_used=data["doses_used"],
                outcome=data["outcome"],
                ems_called=data["ems_called"],
                kit_source=data["kit_source"],
            )
        except services.StockError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The reversal was recorded. Thank you for reporting it."))
            return redirect("supplies:reversal_new")
    recent = (
        OverdoseReversal.objects.filter(program_id=user.program_id)
        .select_related("participant")
        .order_by("-reported_on", "-id")[:RECENT_REPORTS]
    )
    return render(request, "supplies/reversal_new.html", {"form": form, "recent": recent})


# --- Names in other languages -------------------------------------------------------------------


@manager_required
def names(request):
    """The program's items, kits and locations in each other language of the app."""
    user = request.user
    groups = [
        (_("Items"), "item", selectors.items_for(user).order_by("display_order", "name")),
        (_("Kits"), "kit", selectors.kits_for(user).order_by("name")),
        (_("Locations"), "location", locations_for(user).order_by("name")),
    ]
    form = NameTranslationsForm(request.POST or None, groups=groups)
    if request.method == "POST" and form.is_valid():
        changed = services.translate_names(by=user, names=form.translations())
        messages.success(
            request,
            ngettext("%(count)d name changed.", "%(count)d names changed.", changed)
            % {"count": changed},
        )
        return redirect("supplies:names")
    return render(request, "supplies/names.html", {"form": form})
