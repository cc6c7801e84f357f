"""What the filter forms of every app share: a range of days."""

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

# Far outside any program's life, and inside what every date computation can handle.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def sane_date_validators() -> list:
    return [
        MinValueValidator(EARLIEST_DATE, _("Choose a date after 1900.")),
        MaxValueValidator(LATEST_DATE, _("Choose a date before 2101.")),
    ]


def validate_sane_moment(value) -> None:
    """A date or a time on a day between 1900 and 2100 (a datetime is compared by its day)."""
    day = value.date() if isinstance(value, datetime) else value
    if day < EARLIEST_DATE:
        raise ValidationError(_("Choose a date after 1900."), code="min_value")
    if day > LATEST_DATE:
        raise ValidationError(_("Choose a date before 2101."), code="max_value")


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def date_placeholder() -> str:
    """How the active language writes a date for typing: 'dd/mm/aaaa' in Spanish."""
    first = formats.get_format("DATE_INPUT_FORMATS")[0]
    return (
        first.replace("%d", pgettext("date placeholder", "dd"))
        .replace("%m", pgettext("date placeholder", "mm"))
        .replace("%Y", pgettext("date placeholder", "yyyy"))
    )


class LocalizedDateInput(forms.DateInput):
    """A date typed in the reader's language's order (31/12/2025 in Spanish, 2025-12-31 in
    English). A type=date input shows the browser's order instead (mm/dd/yyyy on a phone set
    to US English) whatever language the app speaks. The field reads the same formats."""

    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"class": "form-control", "inputmode": "numeric", "autocomplete": "off"}
            | (attrs or {})
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault("placeholder", date_placeholder())
        return context


class DateRangeForm(forms.Form):
    """A filter form's "From" and "To" days (in the program's time zone), the end not before the
    start. Subclasses set `field_order` to place them among their own fields."""

    date_from = forms.DateField(
        required=False, label=_("From"), widget=date_input(), validators=sane_date_validators()
    )
    date_to = forms.DateField(
        required=False, label=_("To"), widget=date_input(), validators=sane_date_validators()
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned
