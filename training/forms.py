from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.forms import StaffChoiceField
from accounts.models import Location, User
from core.forms import DateRangeForm, sane_date_validators
from participants.models import Participant
from supplies.models import Item
from training.models import HIGHEST_SCORE, TrainingSession
from training.services import AttendeeRecord

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
KIT_FIELD_PREFIX = "kit_"
# More kits than this at one session is refused as a likely typing error.
MOST_KITS_PER_ITEM = 1000
MOST_ATTENDEES = 10_000
ATTENDEE_ROWS = 10
MOST_ATTENDEE_ROWS = 200


class TrainingFilterForm(DateRangeForm):
    field_order = ["kind", "date_from", "date_to"]

    kind = forms.ChoiceField(
        choices=[("", _("Any kind")), *TrainingSession.Kind.choices],
        required=False,
        label=_("Kind"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def filters(self) -> dict:
        """The valid filters as keyword arguments for `filtered_trainings`; none if invalid."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {
            "kind": self.cleaned_data["kind"],
            "date_from": self.cleaned_data["date_from"],
            "date_to": self.cleaned_data["date_to"],
        }


class TrainingSessionForm(forms.Form):
    """The session itself, and one box per naloxone item for the kits handed out."""

    kind = forms.ChoiceField(choices=TrainingSession.Kind.choices, label=_("Kind of training"))
    audience = forms.ChoiceField(choices=TrainingSession.Audience.choices, label=_("Audience"))
    held_on = forms.DateField(label=_("Date"), widget=DATE_INPUT, validators=sane_date_validators())
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        help_text=_("For example: the police academy, the public library."),
    )
    trainer = StaffChoiceField(queryset=User.objects.none(), label=_("Trainer"))
    attendee_count = forms.IntegerField(
        label=_("Number of people trained"),
        min_value=1,
        max_value=MOST_ATTENDEES,
        help_text=_("Everyone who attended, whether or not they are recorded below."),
        error_messages={"min_value": _("At least one person attended.")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(),
        label=_("Naloxone taken from"),
        required=False,
        empty_label=_("No naloxone handed out"),
        help_text=_("The location whose stock the kits below came from."),
    )

    def __init__(
        self,
        *args,
        trainers: QuerySet[User] | None,
        locations: QuerySet[Location],
        naloxone_items: list[Item],
        today: date,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.today = today
        self.naloxone_items = naloxone_items
        self.initial.setdefault("held_on", today)
        if trainers is None:
            # Outreach staff record the trainings they gave themselves.
            del self.fields["trainer"]
        else:
            self.fields["trainer"].queryset = trainers
        self.fields["location"].queryset = locations
        for item in naloxone_items:
            self.fields[f"{KIT_FIELD_PREFIX}{item.pk}"] = forms.IntegerField(
                label=str(item),
                required=False,
                min_value=0,
                max_value=MOST_KITS_PER_ITEM,
                error_messages={"min_value": _("A number of kits cannot be negative.")},
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            )

    def session_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith(KIT_FIELD_PREFIX)]

    def kit_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(KIT_FIELD_PREFIX)]

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > self.today:
            raise ValidationError(_("This date is in the future. Record a training once given."))
        return held_on

    def clean_place(self):
        return self.cleaned_data["place"].strip()

    def clean(self):
        cleaned = super().clean()
        if self.kits() and not cleaned.get("location") and "location" not in self.errors:
            self.add_error("location", _("Choose the location the naloxone kits came from."))
        return cleaned

    def kits(self) -> list[tuple[Item, int]]:
        """(item, quantity) for each naloxone item given a number above zero."""
        return [
            (item, quantity)
            for item in self.naloxone_items
            if (quantity := self.cleaned_data.get(f"{KIT_FIELD_PREFIX}{item.pk}"))
        ]


class AttendeeForm(forms.Form):
    """One row of the attendee records: a named person, or a participant by card id."""

    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    agency = forms.CharField(label=_("Agency"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        help_text=_("For the certificate renewal reminder."),
    )
    participant = forms.CharField(
        label=_("Or participant card id"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    pre_test_score = forms.IntegerField(
        label=_("Pre-test score"),
        required=False,
        min_value=0,
        max_value=HIGHEST_SCORE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    post_test_score = forms.IntegerField(
        label=_("Post-test score"),
        required=False,
        min_value=0,
        max_value=HIGHEST_SCORE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, participants: QuerySet[Participant], **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = participants
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_agency(self):
        return self.cleaned_data["agency"].strip()

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

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("participant") and (
            cleaned.get("name") or cleaned.get("agency") or cleaned.get("email")
        ):
            raise ValidationError(
                _("A participant is recorded by card id only, never with a name or email.")
            )
        if (cleaned.get("agency") or cleaned.get("email")) and not cleaned.get("name"):
            self.add_error("name", _("Give the name of the person from this agency or email."))
        return cleaned

    def record(self) -> AttendeeRecord:
        data = self.cleaned_data
        return AttendeeRecord(
            name=data["name"],
            agency=data["agency"],
            email=data["email"],
            participant=data["participant"],
            pre_test_score=data["pre_test_score"],
            post_test_score=data["post_test_score"],
        )


class BaseAttendeeFormSet(forms.BaseFormSet):
    def records(self) -> list[AttendeeRecord]:
        """The filled rows; rows left empty are not attendees."""
        return [form.record() for form in self.forms if form.has_changed() and form.cleaned_data]


def attendee_formset(data=None, *, participants: QuerySet[Participant], rows: int):
    """The attendee rows: `rows` empty ones on a new page; as many as were posted on a POST."""
    formset_class = forms.formset_factory(
        AttendeeForm,
        formset=BaseAttendeeFormSet,
        extra=max(1, min(rows, MOST_ATTENDEE_ROWS)),
        max_num=MOST_ATTENDEE_ROWS,
        validate_max=True,
        # One row over the limit is enough to say "too many"; Django's default would build
        # 1,000 extra forms for a forged row count.
        absolute_max=MOST_ATTENDEE_ROWS + 1,
    )
    return formset_class(data, prefix="attendees", form_kwargs={"participants": participants})
