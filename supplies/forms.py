import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Location
from core.forms import DateRangeForm, sane_date_validators
from core.translated_names import translated_languages
from participants.models import Participant
from supplies.models import (
    FundingSource,
    Item,
    Lot,
    OverdoseReversal,
    StockLevel,
    StockMovement,
    SyringeCollection,
)

# A shipment or a correction larger than this is refused as a likely typing error.
MOST_PER_ENTRY = 100_000
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LOT_FIELD_PREFIX = "lot_"
# "123 Main St": a house number first is the usual shape of a street address.
LOOKS_LIKE_ADDRESS = re.compile(r"^\s*\d+[a-zA-Z]?\s+\S")

Kind = StockMovement.Kind


def level_label(level: StockLevel) -> str:
    """How a lot on hand reads in a list: item, lot, expiry, at location (on hand)."""
    return _("%(lot)s, at %(location)s (%(on_hand)d on hand)") % {
        "lot": level.lot,
        "location": level.location,
        "on_hand": level.on_hand,
    }


def _not_in_future(day: date | None, today: date) -> date | None:
    if day is not None and day > today:
        raise ValidationError(_("This date is in the future."))
    return day


class StockFilterForm(forms.Form):
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(),
        required=False,
        label=_("Location"),
        empty_label=_("All locations"),
        widget=forms.Select(attrs={"class": "form-select", "data-autosubmit": ""}),
    )

    def __init__(self, *args, locations: QuerySet[Location], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations

    def location_id(self) -> int | None:
        if not self.is_valid() or self.cleaned_data["location"] is None:
            return None
        return self.cleaned_data["location"].pk


class ReceiveForm(forms.Form):
    """A delivery: what arrived where, its lot and expiry, and who paid."""

    location = forms.ModelChoiceField(queryset=Location.objects.none(), label=_("Location"))
    item = forms.ModelChoiceField(queryset=Item.objects.none(), label=_("Item"))
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MOST_PER_ENTRY,
        error_messages={
            "min_value": _("A shipment needs a quantity above zero."),
            "max_value": _("At most %(limit_value)s at once. Check the quantity."),
        },
    )
    lot_number = forms.CharField(label=_("Lot number"), max_length=60, required=False)
    expires_on = forms.DateField(
        label=_("Expiry date"),
        required=False,
        widget=DATE_INPUT,
        validators=sane_date_validators(),
    )
    funding_source = forms.ModelChoiceField(
        queryset=FundingSource.objects.none(),
        label=_("Funding source"),
        required=False,
        empty_label=_("Not recorded"),
    )
    supplier = forms.CharField(label=_("Supplier"), max_length=120, required=False)

    def __init__(self, *args, locations, items, funding_sources, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["location"].queryset = locations
        self.fields["item"].queryset = items
        self.fields["funding_source"].queryset = funding_sources

    def clean_lot_number(self):
        return self.cleaned_data["lot_number"].strip()

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        if expires_on is not None and expires_on < self.today:
            raise ValidationError(_("This lot has already expired. Check the expiry date."))
        return expires_on

    def clean(self):
        cleaned = super().clean()
        item = cleaned.get("item")
        if item is not None and item.tracks_lots:
            if not cleaned.get("lot_number") and "lot_number" not in self.errors:
                self.add_error("lot_number", _("%(item)s needs a lot number.") % {"item": item})
            if not cleaned.get("expires_on") and "expires_on" not in self.errors:
                self.add_error("expires_on", _("%(item)s needs an expiry date.") % {"item": item})
        return cleaned


class LotOnHandField(forms.ChoiceField):
    """A lot chosen from those on hand in the program; one option per lot and location.

    The value is the lot id, so the same lot at two locations appears twice with one value:
    the location it moves from is a field of its own.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label=_("Lot"), **kwargs)
        self.lots = Lot.objects.none()

    def set_levels(self, levels: list[StockLevel], lots: QuerySet[Lot]) -> None:
        self.choices = [("", "---------")] + [
            (str(level.lot_id), level_label(level)) for level in levels
        ]
        self.lots = lots

    def clean(self, value):
        value = super().clean(value)
        lot = self.lots.filter(pk=value).first()
        if lot is None:
            raise ValidationError(_("Choose a lot on hand in your program."))
        return lot


class TransferForm(forms.Form):
    lot = LotOnHandField()
    from_location = forms.ModelChoiceField(queryset=Location.objects.none(), label=_("From"))
    to_location = forms.ModelChoiceField(queryset=Location.objects.none(), label=_("To"))
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MOST_PER_ENTRY,
        error_messages={"min_value": _("A transfer needs a quantity above zero.")},
    )

    def __init__(self, *args, levels, lots, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].set_levels(levels, lots)
        self.fields["from_location"].queryset = locations
        self.fields["to_location"].queryset = locations

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("from_location")
            and cleaned.get("to_location")
            and cleaned["from_location"] == cleaned["to_location"]
        ):
            self.add_error("to_location", _("Choose two different locations."))
        return cleaned


class AdjustForm(forms.Form):
    ADJUSTMENT_KINDS = [
        (Kind.ADJUSTED, Kind.ADJUSTED.label),
        (Kind.EXPIRED, Kind.EXPIRED.label),
        (Kind.WASTED, Kind.WASTED.label),
    ]

    location = forms.ModelChoiceField(queryset=Location.objects.none(), label=_("Location"))
    lot = LotOnHandField()
    kind = forms.ChoiceField(choices=ADJUSTMENT_KINDS, label=_("Kind"), initial=Kind.ADJUSTED)
    change = forms.IntegerField(
        label=_("Change"),
        min_value=-MOST_PER_ENTRY,
        max_value=MOST_PER_ENTRY,
        help_text=_("Negative to remove units, positive to add. Expired and wasted only remove."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        error_messages={"required": _("Give a reason for the adjustment.")},
    )

    def __init__(self, *args, levels, lots, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
        self.fields["lot"].set_levels(levels, lots)

    def clean_change(self):
        change = self.cleaned_data["change"]
        if change == 0:
            raise ValidationError(_("An adjustment needs a change other than zero."))
        return change

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Give a reason for the adjustment."))
        return reason


class CountSheetForm(forms.Form):
    """One box per lot on hand; an empty box means the lot was not counted.

    The recorded level is not shown: a blind count is not nudged towards the expected number.
    """

    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        help_text=_("Leave empty for “Physical count”."),
    )

    def __init__(self, *args, levels: list[StockLevel], extra_lots: Iterable[Lot] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.levels = levels
        # A lot that ran out since the sheet was opened still takes its count.
        self.extra_lots = list(extra_lots)
        for lot in [level.lot for level in levels] + self.extra_lots:
            self.fields[f"{LOT_FIELD_PREFIX}{lot.pk}"] = forms.IntegerField(
                label=str(lot),
                required=False,
                min_value=0,
                max_value=MOST_PER_ENTRY,
                error_messages={"min_value": _("A count cannot be negative.")},
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            )

    @staticmethod
    def posted_lot_ids(data) -> set[int]:
        ids = set()
        for key in data:
            if key.startswith(LOT_FIELD_PREFIX) and key[len(LOT_FIELD_PREFIX) :].isdigit():
                ids.add(int(key[len(LOT_FIELD_PREFIX) :]))
        return ids

    def lot_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(LOT_FIELD_PREFIX)]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.counts():
            raise ValidationError(_("Enter the count of at least one lot."))
        return cleaned

    def counts(self) -> dict[int, int]:
        return {
            int(name[len(LOT_FIELD_PREFIX) :]): value
            for name, value in self.cleaned_data.items()
            if name.startswith(LOT_FIELD_PREFIX) and value is not None
        }


class MovementFilterForm(DateRangeForm):
    field_order = ["location", "item", "kind", "date_from", "date_to"]

    location = forms.ModelChoiceField(
        queryset=Location.objects.none(), required=False, label=_("Location")
    )
    item = forms.ModelChoiceField(queryset=Item.objects.none(), required=False, label=_("Item"))
    kind = forms.ChoiceField(
        choices=[("", _("Any kind")), *Kind.choices], required=False, label=_("Kind")
    )

    def __init__(self, *args, locations, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
        self.fields["item"].queryset = items
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class SyringeCollectionForm(forms.Form):
    location = forms.ModelChoiceField(queryset=Location.objects.none(), label=_("Location"))
    source = forms.ChoiceField(choices=SyringeCollection.Source.choices, label=_("Source"))
    collected_on = forms.DateField(
        label=_("Collected on"), widget=DATE_INPUT, validators=sane_date_validators()
    )
    counted = forms.IntegerField(
        label=_("Syringes counted"),
        required=False,
        min_value=1,
        max_value=MOST_PER_ENTRY,
        error_messages={"min_value": _("The count must be above zero.")},
    )
    weight_pounds = forms.DecimalField(
        label=_("Or weight (pounds)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=7,
        decimal_places=2,
        help_text=_("Converted to a count with your program's syringes per pound."),
        error_messages={"min_value": _("The weight must be above zero.")},
    )

    def __init__(self, *args, locations, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["location"].queryset = locations
        self.initial.setdefault("collected_on", today)

    def clean_collected_on(self):
        return _not_in_future(self.cleaned_data["collected_on"], self.today)

    def clean(self):
        cleaned = super().clean()
        if "counted" in self.errors or "weight_pounds" in self.errors:
            return cleaned
        counted, weight = cleaned.get("counted"), cleaned.get("weight_pounds")
        if counted is None and weight is None:
            self.add_error("counted", _("Give a count or a weight."))
        elif counted is not None and weight is not None:
            self.add_error("weight_pounds", _("Give either a count or a weight, not both."))
        return cleaned


class SharpsDisposalForm(forms.Form):
    location = forms.ModelChoiceField(queryset=Location.objects.none(), label=_("Location"))
    disposed_on = forms.DateField(label=_("Handed over on"), widget=DATE_INPUT)
    containers = forms.IntegerField(
        label=_("Containers"),
        min_value=1,
        max_value=MOST_PER_ENTRY,
        error_messages={"min_value": _("Give at least one container.")},
    )
    weight_pounds = forms.DecimalField(
        label=_("Weight (pounds)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=8,
        decimal_places=2,
        help_text=_("Syringes are estimated with your program's syringes per pound."),
        error_messages={"min_value": _("The weight must be above zero.")},
    )
    syringes_counted = forms.IntegerField(
        label=_("Or syringes counted"),
        required=False,
        min_value=0,
        max_value=10 * MOST_PER_ENTRY,
        error_messages={"min_value": _("The count of syringes cannot be negative.")},
    )
    vendor = forms.CharField(label=_("Disposal service"), max_length=120, required=False)
    manifest_number = forms.CharField(label=_("Manifest or receipt number"), max_length=60)

    def __init__(self, *args, locations, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["location"].queryset = locations
        self.initial.setdefault("disposed_on", today)

    def clean_disposed_on(self):
        return _not_in_future(self.cleaned_data["disposed_on"], self.today)

    def clean(self):
        cleaned = super().clean()
        if "weight_pounds" in self.errors or "syringes_counted" in self.errors:
            return cleaned
        if cleaned.get("weight_pounds") is None and cleaned.get("syringes_counted") is None:
            self.add_error(
                "weight_pounds",
                _(
                    "Give the weight (or a count of syringes) so the syringes disposed can be "
                    "estimated."
                ),
            )
        return cleaned


class OverdoseReversalForm(forms.Form):
    reported_on = forms.DateField(
        label=_("Date of the overdose"), widget=DATE_INPUT, validators=sane_date_validators()
    )
    place = forms.CharField(
        label=_("Area"),
        max_length=80,
        help_text=_("A neighbourhood or area, never an address."),
    )
    doses_used = forms.IntegerField(
        label=_("Naloxone doses used"),
        min_value=1,
        max_value=20,
        error_messages={"min_value": _("A reversal used at least one dose.")},
    )
    outcome = forms.ChoiceField(choices=OverdoseReversal.Outcome.choices, label=_("Outcome"))
    ems_called = forms.ChoiceField(
        choices=OverdoseReversal.EmsCalled.choices, label=_("EMS called")
    )
    kit_source = forms.ChoiceField(
        choices=OverdoseReversal.KitSource.choices, label=_("Where the naloxone came from")
    )
    participant = forms.CharField(
        label=_("Participant card id"),
        max_length=20,
        required=False,
        help_text=_("Optional: the participant who reported it."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    # Told at an encounter (the link from the encounter list): the report is linked to it.
    encounter = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, participants: QuerySet[Participant], today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = participants
        self.today = today
        self.initial.setdefault("reported_on", today)

    def clean_reported_on(self):
        return _not_in_future(self.cleaned_data["reported_on"], self.today)

    def clean_place(self):
        place = self.cleaned_data["place"].strip()
        if LOOKS_LIKE_ADDRESS.match(place):
            raise ValidationError(_("This looks like an address. Give only the area."))
        return place

    def clean_participant(self) -> Participant | None:
        public_id = self.cleaned_data["participant"].strip().upper()
        if not public_id:
            return None
        participant = self.participants.filter(public_id=public_id).first()
        if participant is None:
            raise ValidationError(
                _("No participant %(public_id)s in your program.") % {"public_id": public_id}
            )
        return participant


class NameTranslationsForm(forms.Form):
    """The program's items, kits and locations, each with its name in every other language.

    `groups` is what the page lists: (heading, [(row, [bound field per language])])."""

    def __init__(self, *args, groups: list[tuple[str, str, Iterable[Model]]], **kwargs):
        super().__init__(*args, **kwargs)
        self._rows: dict[str, tuple[Model, str]] = {}
        self.groups = []
        for heading, kind, rows in groups:
            entries = []
            for row in rows:
                names = []
                for code, language in translated_languages():
                    field_name = f"{kind}_{row.pk}_{code}"
                    self.fields[field_name] = forms.CharField(
                        label=format_lazy("{name} ({language})", name=row.name, language=language),
                        required=False,
                        max_length=200,
                        initial=row.name_translations.get(code, ""),
                        widget=forms.TextInput(attrs={"class": "form-control", "lang": code}),
                    )
                    self._rows[field_name] = (row, code)
                    names.append(field_name)
                entries.append((row, [self[name] for name in names]))
            self.groups.append((heading, entries))

    def translations(self) -> dict[Model, dict[str, str]]:
        """{row: {language: name}} as typed, for supplies.services.translate_names. A name the
        page did not send (a row added since the page was opened) is left out, so kept."""
        wanted: dict[Model, dict[str, str]] = {}
        for field_name, (row, code) in self._rows.items():
            if field_name in self.data:
                wanted.setdefault(row, {})[code] = self.cleaned_data.get(field_name) or ""
        return wanted
