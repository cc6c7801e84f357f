from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from accounts import code_recipes
from participants.models import DECLINED, Characteristic, Participant

MONTH_CHOICES = [("", "—"), *[(f"{number:02d}", name) for number, name in MONTHS.items()]]


class CodeAnswersForm(forms.Form):
    """The questions of the program's code recipe; `code` is derived in clean()."""

    def __init__(self, *args, recipe: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.recipe = recipe
        for key in code_recipes.recipe_questions(recipe):
            question = code_recipes.QUESTIONS[key]
            self.fields[key] = _question_field(question)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            cleaned["code"] = code_recipes.derive_code(self.recipe, cleaned)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field, message)
        return cleaned


def _question_field(question: code_recipes.Question) -> forms.Field:
    common = {"label": question.label, "help_text": question.help_text}
    if question.kind == "month":
        return forms.ChoiceField(choices=MONTH_CHOICES, **common)
    if question.kind == "year":
        this_year = timezone.localtime().year  # in the program's zone, active for the request
        return forms.IntegerField(min_value=this_year - 110, max_value=this_year, **common)
    if question.kind == "choice":
        return forms.ChoiceField(
            choices=[("", "—"), *question.choices], widget=forms.RadioSelect, **common
        )
    return forms.CharField(
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        **common,
    )


class ParticipantProfileForm(forms.Form):
    """Optional answers; nothing here is required, and each can be declined."""

    alias = forms.CharField(
        label=_("Alias"),
        max_length=60,
        required=False,
        help_text=_("A nickname the participant chooses. Never a legal name."),
    )
    birth_year = forms.IntegerField(label=_("Birth year"), required=False)
    birth_year_declined = forms.BooleanField(label=_("Declined to answer"), required=False)
    gender_identity = forms.ChoiceField(
        label=_("Gender identity"),
        choices=[("", _("Not asked")), *Participant.GenderIdentity.choices],
        required=False,
    )
    race_ethnicity = forms.ChoiceField(
        label=_("Race and ethnicity"),
        choices=[("", _("Not asked")), *Participant.RaceEthnicity.choices],
        required=False,
    )
    zip3 = forms.RegexField(
        label=_("First three digits of ZIP code"),
        regex=r"^\d{3}$",
        required=False,
        error_messages={"invalid": _("Enter three digits.")},
    )
    zip3_declined = forms.BooleanField(label=_("Declined to answer"), required=False)
    populations = forms.MultipleChoiceField(
        label=_("Populations"),
        choices=Characteristic.Population.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    substances = forms.MultipleChoiceField(
        label=_("Substances used"),
        choices=Characteristic.Substance.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    routes = forms.MultipleChoiceField(
        label=_("Routes of use"),
        choices=Characteristic.Route.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    CHARACTERISTIC_FIELDS = {
        "populations": Characteristic.Question.POPULATION,
        "substances": Characteristic.Question.SUBSTANCE,
        "routes": Characteristic.Question.ROUTE,
    }

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        this_year = timezone.localtime().year  # in the program's zone, active for the request
        if year is not None and not this_year - 110 <= year <= this_year - 10:
            raise ValidationError(
                _("Enter a year between %(first)d and %(last)d.")
                % {"first": this_year - 110, "last": this_year - 10}
            )
        return year

    def clean(self):
        cleaned = super().clean()
        for field in ("populations", "substances", "routes"):
            values = cleaned.get(field) or []
            if DECLINED in values and len(values) > 1:
                self.add_error(field, _("Choose answers or 'declined to answer', not both."))
        if cleaned.get("birth_year_declined"):
            cleaned["birth_year"] = None
        if cleaned.get("zip3_declined"):
            cleaned["zip3"] = ""
        return cleaned

    def profile(self) -> dict:
        return {field: self.cleaned_data[field] for field in Participant.PROFILE_FIELDS}

    def characteristics(self) -> dict[str, list[str]]:
        return {
            question: self.cleaned_data[field]
            for field, question in self.CHARACTERISTIC_FIELDS.items()
        }

    @classmethod
    def initial_for(cls, participant: Participant) -> dict:
        initial = {field: getattr(participant, field) for field in Participant.PROFILE_FIELDS}
        answers = participant.characteristics.values_list("question", "value")
        for field, question in cls.CHARACTERISTIC_FIELDS.items():
            initial[field] = [value for asked, value in answers if asked == question]
        return initial


class DeleteOnRequestForm(forms.Form):
    """A manager confirms that the participant asked to be forgotten."""

    confirm = forms.BooleanField(
        label=_(
            "The participant asked us to delete their record, and I understand it cannot be undone."
        ),
        error_messages={"required": _("Tick the box to confirm the participant's request.")},
    )
