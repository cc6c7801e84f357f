"""What the log says about stock, in the reader's language."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "supplies.stock.received": _("Stock received"),
    "supplies.stock.transferred": _("Stock transferred"),
    "supplies.stock.counted": _("Stock counted"),
    "supplies.stock.adjusted": _("Stock adjusted"),
    "supplies.stock.expired": _("Stock removed as expired"),
    "supplies.stock.wasted": _("Stock removed as wasted"),
    "supplies.collection.recorded": _("Used syringes collected"),
    "supplies.reversal.reported": _("Overdose reversal reported"),
    "supplies.names.translated": _("Names in other languages changed"),
}

DETAILS = {
    "quantity": _("Quantity"),
    "change": _("Change in quantity"),
    "reason": _("Reason"),
    "location": _("Location"),
    "adjustments": _("Adjustments"),
    "lot": _("Lot"),
    "from": _("From"),
    "to": _("To"),
    "transfer": _("Transfer number"),
    "kind": _("Kind"),
    "name": _("Name"),
    "translations": _("Names in other languages"),
}
