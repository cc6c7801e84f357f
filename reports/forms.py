from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.forms import sane_date_validators
from reports import measures
from reports.models import LAST_SCHEDULE_DAY, CommunityReportSetting, ReportDefinition

DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class RunRequestForm(forms.Form):
    """A period to run a report for, by hand (and which report, when `definitions` is given)."""

    start = forms.DateField(
        label=_("First day"), widget=DATE_INPUT, validators=sane_date_validators()
    )
    end = forms.DateField(label=_("Last day"), widget=DATE_INPUT, validators=sane_date_validators())

    def __init__(self, *args, definitions: QuerySet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if definitions is not None:
            self.fields = {
                "definition": forms.ModelChoiceField(
                    label=_("Report"),
                    queryset=definitions.filter(is_active=True),
                    widget=forms.Select(attrs={"class": "form-select"}),
                ),
                **self.fields,
            }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period ends before it starts."))
        return cleaned


class ReportDefinitionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    measures = forms.MultipleChoiceField(
        label=_("Measures"), required=False, widget=forms.CheckboxSelectMultiple
    )
    breakdowns = forms.MultipleChoiceField(
        label=_("Breakdowns"), required=False, widget=forms.CheckboxSelectMultiple
    )
    published_to = forms.ModelMultipleChoiceField(
        label=_("Published to"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The funder organisations that may read and download this report's runs."),
    )
    schedule = forms.ChoiceField(label=_("Schedule"), choices=ReportDefinition.Schedule.choices)
    run_on_day = forms.IntegerField(
        label=_("Run on day"),
        min_value=1,
        max_value=LAST_SCHEDULE_DAY,
        initial=5,
        help_text=_("Day of the month after the period ends (1 to 28)."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, organisations: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measures"].choices = [
            (key, measure.label) for key, measure in measures.MEASURES.items()
        ]
        self.fields["breakdowns"].choices = [
            (key, breakdown.label) for key, breakdown in measures.BREAKDOWNS.items()
        ]
        self.fields["published_to"].queryset = organisations
        _style(self)

    @classmethod
    def initial_for(cls, definition: ReportDefinition) -> dict:
        return {
            "name": definition.shown_name,
            "description": definition.shown_description,
            "measures": list(definition.measures),
            "breakdowns": list(definition.breakdowns),
            "published_to": list(definition.published_to.all()),
            "schedule": definition.schedule,
            "run_on_day": definition.run_on_day,
            "is_active": definition.is_active,
        }

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("measures") and not cleaned.get("breakdowns"):
            self.add_error("measures", _("Choose at least one measure or breakdown."))
        return cleaned


class CommunityReportForm(forms.Form):
    enabled = forms.BooleanField(
        label=_("Show the public community report"),
        required=False,
        help_text=_("Anyone with the address can read it: every small count is hidden."),
    )
    definition = forms.ModelChoiceField(
        label=_("Report shown"), queryset=None, required=False, empty_label=_("None")
    )
    period = forms.ChoiceField(
        label=_("Period shown"),
        choices=CommunityReportSetting.Period.choices,
        initial=CommunityReportSetting.Period.QUARTER,
    )

    def __init__(self, *args, definitions: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["definition"].queryset = definitions
        _style(self)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("enabled") and not cleaned.get("definition"):
            self.add_error(
                "definition", _("Choose which report the public page shows before turning it on.")
            )
        return cleaned
