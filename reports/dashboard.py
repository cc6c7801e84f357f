"""The manager dashboard: its filters, and every number, chart and alert it shows.

All numbers come from `reports.measures`; this module only chooses which, for which periods,
and where each one links to. Scoped by the requesting manager's program, never by input.
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Location, User
from core.forms import LocalizedDateInput, sane_date_validators
from referrals import selectors as referral_selectors
from reports import measures, periods
from reports.measures import MEASURES, Scope
from supplies import selectors as supply_selectors

PERIODS = [
    ("month", _("Month")),
    ("quarter", _("Quarter")),
    ("year", _("Year")),
    ("custom", _("Custom")),
]
CALENDAR_PERIODS = {"month": periods.MONTHLY, "quarter": periods.QUARTERLY, "year": periods.YEARLY}
MAX_CUSTOM_DAYS = 3 * 366
EARLIEST = date(2000, 1, 1)

KEY_MEASURES = [
    "unduplicated_participants",
    "new_participants",
    "encounters",
    "anonymous_encounters",
    "syringes_distributed",
    "syringes_collected",
    "collection_ratio",
    "naloxone_doses",
    "reversals_reported",
    "test_strips_distributed",
    "referrals_made",
    "linkage_rate",
    "trainings",
    "people_trained",
]
SITE_MEASURES = [
    "encounters",
    "unduplicated_participants",
    "syringes_distributed",
    "syringes_collected",
    "naloxone_doses",
]
# Distinct participants by week would scan every encounter of the weeks: the weekly chart
# shows sums the daily totals give at once; people are counted by month.
WEEKLY_MEASURES = ["encounters", "naloxone_doses"]
MONTHLY_MEASURES = [
    "encounters",
    "unduplicated_participants",
    "syringes_distributed",
    "syringes_collected",
    "naloxone_doses",
]
# The charts reach back this far even when the period chosen is shorter.
WEEKS_CHARTED = 13
MONTHS_CHARTED = 12
RATES = {"linkage_rate"}
RATIOS = {"collection_ratio"}
OVERDUE_SHOWN = 8


class DashboardFilterForm(forms.Form):
    """Which period and which location the dashboard shows; this month everywhere by default."""

    period = forms.ChoiceField(
        label=_("Period"),
        choices=PERIODS,
        required=False,
        widget=forms.Select(attrs={"class": "form-select", "data-autosubmit": ""}),
    )
    day = forms.DateField(
        validators=sane_date_validators(),
        label=_("Including the day"),
        required=False,
        widget=LocalizedDateInput(),
        help_text=_("The month, quarter or year holding this day."),
    )
    start = forms.DateField(
        validators=sane_date_validators(),
        label=_("From"),
        required=False,
        widget=LocalizedDateInput(),
    )
    end = forms.DateField(
        validators=sane_date_validators(),
        label=_("To"),
        required=False,
        widget=LocalizedDateInput(),
    )
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.none(),
        required=False,
        empty_label=_("All locations"),
        widget=forms.Select(attrs={"class": "form-select", "data-autosubmit": ""}),
    )

    def __init__(self, *args, locations, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["location"].queryset = locations

    def clean(self):
        cleaned = super().clean()
        period = cleaned.get("period") or "month"
        cleaned["period"] = period
        for name in ("day", "start", "end"):
            value = cleaned.get(name)
            if value is not None and value < EARLIEST:
                self.add_error(name, _("Choose a day in 2000 or later."))
        if period == "custom":
            start, end = cleaned.get("start"), cleaned.get("end")
            if start is None or end is None:
                if "start" not in self.errors and "end" not in self.errors:
                    self.add_error("start", _("A custom period needs a first and a last day."))
            elif end < start:
                self.add_error("end", _("The last day is before the first day."))
            elif periods.length_in_days(start, end) > MAX_CUSTOM_DAYS:
                self.add_error("end", _("Choose a period of at most three years."))
        return cleaned

    def period_bounds(self) -> tuple[date, date]:
        """First and last day of the chosen period; this month when the filters are invalid."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        period = data.get("period") or "month"
        day = data.get("day") or self.today
        if period == "custom":
            return data["start"], data["end"]
        return periods.period_containing(day, CALENDAR_PERIODS[period])

    def chosen_location(self) -> Location | None:
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("location")
        return None


@dataclass(frozen=True)
class Card:
    """One key measure: this period, the one before, the change, and the list behind it."""

    key: str
    label: str
    definition: str
    value: int | float | None
    previous: int | float | None
    url: str | None

    @property
    def shown(self) -> str:
        return _format(self.key, self.value)

    @property
    def previous_shown(self) -> str:
        return _format(self.key, self.previous)

    @property
    def change(self) -> str:
        """'+12%', '-3%', '0%', or '' when there is nothing to compare with."""
        if self.value is None or not self.previous:
            return ""
        percent = round((self.value - self.previous) / self.previous * 100)
        return f"{percent:+d}%" if percent else "0%"

    @property
    def direction(self) -> str:
        if self.value is None or self.previous is None or self.value == self.previous:
            return "same"
        return "up" if self.value > self.previous else "down"


def _format(key: str, value) -> str:
    if value is None:
        return "–"  # noqa: RUF001 - an en dash: no value, not a minus
    if key in RATES:
        return formats.number_format(value * 100, decimal_pos=0) + "%"
    if key in RATIOS:
        return formats.number_format(value, decimal_pos=2)
    if isinstance(value, float):
        return formats.number_format(value, decimal_pos=1, use_l10n=True)
    return formats.number_format(value, force_grouping=True)


def list_url(url_name: str | None, scope: Scope) -> str | None:
    """The list behind a number, filtered to the scope where that list has such filters."""
    if url_name is None:
        return None
    params: dict[str, object] = {}
    if url_name == measures.ENCOUNTER_LIST:
        params = {"date_from": scope.start, "date_to": scope.end}
        if scope.location is not None:
            params["location"] = scope.location.pk
        if scope.kind:
            params["kind"] = scope.kind
    elif url_name == "training:list":
        params = {"date_from": scope.start, "date_to": scope.end}
    url = reverse(url_name)
    return f"{url}?{urlencode(params)}" if params else url


def period_label(start: date, end: date) -> str:
    """'March 2025', 'Q1 2025', '2025' or '3 Mar 2025 to 9 Mar 2025' (with an en dash)."""
    calendar_period = periods.calendar_period(start, end)
    if calendar_period == periods.MONTHLY:
        return formats.date_format(start, "YEAR_MONTH_FORMAT")
    if calendar_period == periods.YEARLY:
        return str(start.year)
    if calendar_period == periods.QUARTERLY:
        return gettext("Q%(quarter)d %(year)d") % {
            "quarter": periods.quarter_number(start),
            "year": start.year,
        }
    return f"{formats.date_format(start)} – {formats.date_format(end)}"  # noqa: RUF001


def span_label(start: date, end: date) -> str:
    """A short span for a comparison, with en dashes: '1-2 Nov', '1 Jul - 1 Sep'."""
    if start == end:
        return formats.date_format(start, "j M")
    if (start.year, start.month) == (end.year, end.month):
        return f"{formats.date_format(start, 'j')}–{formats.date_format(end, 'j M')}"  # noqa: RUF001
    day_format = "j M" if start.year == end.year else "j M Y"
    return f"{formats.date_format(start, day_format)} – {formats.date_format(end, day_format)}"  # noqa: RUF001


def _chart(
    title: str, points: list[tuple[date, dict]], keys: list[str], *, grain: str, today: date
) -> dict:
    """One chart: what dashboard.js draws (labels, one series per measure) and the same
    numbers as table rows for people who do not see the chart. Periods that have not begun
    are left out: a week still to come is not a week with nothing in it."""
    points = [(start, numbers) for start, numbers in points if start <= today]

    def label(start: date) -> str:
        if grain == "month":
            text, end = formats.date_format(start, "YEAR_MONTH_FORMAT"), periods.month_end(start)
        else:
            text, end = formats.date_format(start, "SHORT_DATE_FORMAT"), periods.week_end(start)
        # The week or month still under way: a low bar there is not a drop.
        if periods.is_partial(start, end, today):
            return gettext("%(period)s (so far)") % {"period": text}
        return text

    return {
        "title": title,
        "grain": grain,
        "labels": [label(start) for start, _numbers in points],
        "datasets": [
            {
                "key": key,
                "label": str(MEASURES[key].label),
                "data": [numbers[key] for _start, numbers in points],
            }
            for key in keys
        ],
        "rows": [
            (label(start), [_format(key, numbers[key]) for key in keys])
            for start, numbers in points
        ],
    }


def dashboard_context(
    user: User, scope: Scope, *, today: date, filters: dict[str, str] | None = None
) -> dict:
    """Everything the dashboard page shows for a manager and a scope of their program.

    About fifteen aggregate queries whatever the data size: two computes of the key measures
    (this period and the one before), two trends, one grouped site query, alerts. A period in
    progress is compared with as many days of the one before (periods.elapsed_comparison).
    """
    if scope.program.pk != user.program_id:
        raise ValueError("A dashboard shows the manager's own program only.")
    (start, end), (previous_start, previous_end) = periods.elapsed_comparison(
        scope.start, scope.end, today
    )
    partial = (start, end) != (scope.start, scope.end)
    previous_scope = scope.with_period(previous_start, previous_end)
    current = measures.compute(scope.with_period(start, end), KEY_MEASURES)
    previous = measures.compute(previous_scope, KEY_MEASURES)
    cards = [
        Card(
            key=key,
            label=str(MEASURES[key].label),
            definition=str(MEASURES[key].definition),
            value=current[key],
            previous=previous[key],
            url=list_url(MEASURES[key].list_url_name, scope),
        )
        for key in KEY_MEASURES
    ]
    weekly_scope = scope.with_period(
        min(scope.start, periods.start_of_last(WEEKS_CHARTED, "week", scope.end)), scope.end
    )
    monthly_scope = scope.with_period(
        min(scope.start, periods.start_of_last(MONTHS_CHARTED, "month", scope.end)), scope.end
    )
    weekly = measures.trend(weekly_scope, WEEKLY_MEASURES, "week")
    monthly = measures.trend(monthly_scope, MONTHLY_MEASURES, "month")
    sites = [
        {
            "location": location,
            "numbers": [_format(key, numbers[key]) for key in SITE_MEASURES],
            "encounters_url": list_url(measures.ENCOUNTER_LIST, replace(scope, location=location)),
            "dashboard_url": "?" + urlencode({**(filters or {}), "location": location.pk}),
        }
        for location, numbers in measures.by_location(scope, SITE_MEASURES)
    ]
    overdue = referral_selectors.follow_ups(user, on=today - timedelta(days=1))
    charts = {
        "weekly": _chart(gettext("By week"), weekly, WEEKLY_MEASURES, grain="week", today=today),
        "monthly": _chart(
            gettext("By month"),
            monthly,
            ["encounters", "unduplicated_participants"],
            grain="month",
            today=today,
        ),
        "supplies": _chart(
            gettext("Supplies by month"),
            monthly,
            ["syringes_distributed", "syringes_collected", "naloxone_doses"],
            grain="month",
            today=today,
        ),
    }
    return {
        "scope": scope,
        "period_label": period_label(scope.start, scope.end),
        "is_partial": partial,
        "elapsed_label": span_label(start, end),
        "previous_label": (
            span_label(previous_start, previous_end)
            if partial
            else period_label(previous_start, previous_end)
        ),
        "cards": cards,
        "charts": charts,
        # Only what dashboard.js draws; the tables under the charts come from "charts".
        "chart_data": {
            name: {"labels": chart["labels"], "datasets": chart["datasets"]}
            for name, chart in charts.items()
        },
        "site_columns": [str(MEASURES[key].label) for key in SITE_MEASURES],
        "sites": sites,
        "stock_alerts": supply_selectors.stock_alerts(user.program),
        "overdue_count": overdue.count(),
        "overdue": list(overdue[:OVERDUE_SHOWN]),
    }
