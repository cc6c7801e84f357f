"""The encounter screen's form and the encounter list's filters."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.forms import StaffChoiceField
from accounts.models import Location, User
from core.forms import DateRangeForm, validate_sane_moment
from encounters import follow_ups
from encounters.models import Encounter
from encounters.selectors import EncounterFilters
from supplies.models import Item

ANONYMOUS = "anonymous"
ITEM_FIELD_PREFIX = "item_"
LOCATION_KIND_TO_ENCOUNTER_KIND = {
    Location.Kind.FIXED_SITE: Encounter.Kind.FIXED_SITE,
    Location.Kind.MOBILE_UNIT: Encounter.Kind.MOBILE_UNIT,
    Location.Kind.OUTREACH: Encounter.Kind.STREET_OUTREACH,
}


class LocationSelect(forms.Select):
    """Each location carries the encounter kind it implies, for the screen's script to follow."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        location = getattr(value, "instance", None)
        if location is not None:
            option["attrs"]["data-encounter-kind"] = LOCATION_KIND_TO_ENCOUNTER_KIND[location.kind]
        return option


class EncounterForm(forms.Form):
    """The encounter screen: who, where, what was given and done. Supplies are tap counters."""

    # Folded under "Reversals, others, time" on the screen.
    DETAIL_FIELDS = (
        "overdose_reversals_reported",
        "secondary_distribution_for",
        "naloxone_refill_reason",
        "occurred_at",
        "note",
    )

    encounter_id = forms.UUIDField(widget=forms.HiddenInput)
    participant = forms.CharField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"required": _("Find the participant, or choose anonymous.")},
    )
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(),
        label=_("Location"),
        empty_label=None,
        widget=LocationSelect(attrs={"class": "form-select"}),
    )
    kind = forms.ChoiceField(
        choices=Encounter.Kind.choices,
        label=_("Kind"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    occurred_at = forms.DateTimeField(
        validators=[validate_sane_moment],
        label=_("Time"),
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"
        ),
        help_text=_("Leave empty for now."),
    )
    syringes_collected = forms.IntegerField(
        label=_("Used syringes collected"), min_value=0, max_value=10_000, initial=0
    )
    secondary_distribution_for = forms.IntegerField(
        label=_("Also for how many others"), min_value=0, max_value=100, initial=0
    )
    overdose_reversals_reported = forms.IntegerField(
        label=_("Overdose reversals reported"), min_value=0, max_value=20, initial=0
    )
    naloxone_refill_reason = forms.ChoiceField(
        label=_("Naloxone refill: the last kit was"),
        choices=[("", _("Not a refill")), *Encounter.RefillReason.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    hiv_test = forms.BooleanField(label=_("HIV test"), required=False)
    hcv_test = forms.BooleanField(label=_("HCV test"), required=False)
    wound_care = forms.BooleanField(label=_("Wound care"), required=False)
    naloxone_training = forms.BooleanField(label=_("Naloxone training"), required=False)
    counselling = forms.BooleanField(label=_("Counselling"), required=False)
    referral_kinds = forms.MultipleChoiceField(
        label=_("Referrals made"),
        choices=follow_ups.referral_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=280,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text=_("Never write names or anything that could identify someone."),
    )

    def __init__(
        self, *args, user: User, locations, items: list[Item], bundle: dict[int, int], **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.user = user
        self.items = items
        self.fields["location"].queryset = locations
        if not user.program.encounter_notes_enabled:
            del self.fields["note"]
        for item in items:
            self.fields[f"{ITEM_FIELD_PREFIX}{item.pk}"] = forms.IntegerField(
                label=item.localized_name,
                min_value=0,
                max_value=item.max_per_encounter,
                initial=bundle.get(item.pk, 0),
                required=False,
                error_messages={
                    "max_value": _("At most %(limit_value)s of this item at one encounter."),
                    "min_value": _("A quantity cannot be negative."),
                },
            )
        if not self.is_bound:
            self.initial.setdefault("encounter_id", uuid.uuid4())

    def clean_participant(self):
        value = self.cleaned_data["participant"].strip()
        if not value:
            raise ValidationError(_("Find the participant, or choose anonymous."))
        return value

    def clean(self):
        # A post without a kind (an old offline page) takes the one its location implies.
        cleaned = super().clean()
        location = cleaned.get("location")
        if not cleaned.get("kind") and location is not None:
            cleaned["kind"] = LOCATION_KIND_TO_ENCOUNTER_KIND[location.kind]
        return cleaned

    def details_have_errors(self) -> bool:
        """Whether a folded field failed: its section must open or Save seems to do nothing."""
        return any(name in self.errors for name in self.DETAIL_FIELDS)

    def item_fields(self, item_ids: set[int]) -> list[forms.BoundField]:
        return [self[f"{ITEM_FIELD_PREFIX}{item.pk}"] for item in self.items if item.pk in item_ids]

    def service_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in Encounter.SERVICE_FIELDS]

    def supply_quantities(self) -> list[tuple[Item, int]]:
        return [
            (item, self.cleaned_data.get(f"{ITEM_FIELD_PREFIX}{item.pk}") or 0)
            for item in self.items
        ]

    def services(self) -> dict[str, bool]:
        return {name: self.cleaned_data[name] for name in Encounter.SERVICE_FIELDS}


class EncounterFilterForm(DateRangeForm):
    field_order = ["location", "staff", "kind", "date_from", "date_to"]

    location = forms.ModelChoiceField(
        queryset=Location.objects.none(), required=False, label=_("Location")
    )
    staff = StaffChoiceField(queryset=User.objects.none(), required=False, label=_("Staff"))
    kind = forms.ChoiceField(
        choices=[("", _("Any kind")), *Encounter.Kind.choices], required=False, label=_("Kind")
    )

    def __init__(self, *args, locations, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
        self.fields["staff"].queryset = staff

    def filters(self) -> EncounterFilters:
        if not self.is_valid():
            return EncounterFilters()
        data = self.cleaned_data
        return EncounterFilters(
            location_id=data["location"].pk if data["location"] else None,
            staff_id=data["staff"].pk if data["staff"] else None,
            kind=data["kind"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )


class EncounterCorrectionForm(EncounterForm):
    """The encounter screen's fields filled from a stored encounter, the participant typed as a
    public id, and the reason the correction needs."""

    field_order = ["reason"]

    reason = forms.CharField(
        label=_("Why is it corrected?"),
        max_length=280,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("Kept in the audit log. Never write names."),
    )

    def __init__(self, *args, encounter: Encounter, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["encounter_id"]
        self.fields["participant"] = forms.CharField(
            label=_("Participant"),
            required=False,
            max_length=20,
            widget=forms.TextInput(attrs={"class": "form-control", "autocapitalize": "characters"}),
            help_text=_("Their public id; leave empty for an anonymous encounter."),
        )
        self.fields["occurred_at"].required = True
        self.fields["occurred_at"].help_text = ""
        for field in self.fields.values():
            if isinstance(field.widget, forms.NumberInput):
                field.widget.attrs.update({"class": "form-control", "inputmode": "numeric"})
        if not self.is_bound:
            self.initial.update(
                {
                    "participant": encounter.participant.public_id if encounter.participant else "",
                    "location": encounter.location_id,
                    "kind": encounter.kind,
                    "occurred_at": encounter.occurred_at,
                    "syringes_collected": encounter.syringes_collected,
                    "secondary_distribution_for": encounter.secondary_distribution_for,
                    "overdose_reversals_reported": encounter.overdose_reversals_reported,
                    "naloxone_refill_reason": encounter.naloxone_refill_reason,
                    "referral_kinds": follow_ups.referral_kinds_at(encounter),
                    "note": encounter.note,
                    **{name: getattr(encounter, name) for name in Encounter.SERVICE_FIELDS},
                }
            )

    def clean_participant(self):
        value = self.cleaned_data["participant"].strip()
        return value or ANONYMOUS


class VoidEncounterForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it voided?"),
        max_length=280,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("Kept in the audit log. Never write names."),
    )
