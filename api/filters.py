"""Query filters of the list endpoints. Choices come from the user's own scope, so filtering by
another program's location is a 400 (unknown choice), never a peek at its rows."""

import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.selectors import assigned_locations, locations_for
from encounters.models import Encounter
from encounters.selectors import EncounterFilters, filtered_encounters
from referrals.models import Referral, ReferralKind
from training.models import TrainingSession


class EncounterFilter(django_filters.FilterSet):
    """The encounter list's filters, applied by the same selector as the page's."""

    date_from = django_filters.DateFilter(label=_("From this day (program time zone)"))
    date_to = django_filters.DateFilter(label=_("To this day (program time zone)"))
    location = django_filters.ModelChoiceFilter(
        queryset=lambda request: locations_for(request.user)
    )
    kind = django_filters.ChoiceFilter(choices=Encounter.Kind.choices)
    participant = django_filters.CharFilter(label=_("Participant public id"))

    class Meta:
        model = Encounter
        fields = ["date_from", "date_to", "location", "kind", "participant"]

    def is_valid(self):
        if not super().is_valid():
            return False
        data = self.form.cleaned_data
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.form.add_error("date_to", _("The end date is before the start date."))
            return False
        return True

    def filter_queryset(self, queryset):
        user = self.request.user
        data = self.form.cleaned_data
        filters = EncounterFilters(
            location_id=data["location"].pk if data.get("location") else None,
            kind=data.get("kind") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
        encounters = filtered_encounters(user, filters, user.program.tzinfo)
        if data.get("participant"):
            encounters = encounters.filter(
                participant__public_id=data["participant"].strip().upper()
            )
        return encounters


class LocationFilter(django_filters.FilterSet):
    assigned = django_filters.BooleanFilter(
        method="filter_assigned", label=_("Only the locations you may record encounters at")
    )
    is_active = django_filters.BooleanFilter()

    def filter_assigned(self, queryset, name, value):
        if value:
            return queryset.filter(pk__in=assigned_locations(self.request.user).values("pk"))
        return queryset


class StockLevelFilter(django_filters.FilterSet):
    location = django_filters.ModelChoiceFilter(
        field_name="location", queryset=lambda request: locations_for(request.user)
    )
    item = django_filters.NumberFilter(field_name="lot__item_id")


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Referral.Status.choices)
    kind = django_filters.ChoiceFilter(choices=ReferralKind.choices)
    participant = django_filters.CharFilter(
        method="filter_participant", label=_("Participant public id")
    )

    class Meta:
        model = Referral
        fields = ["status", "kind", "participant"]

    def filter_participant(self, queryset, name, value):
        return queryset.filter(participant__public_id=value.strip().upper())


class TrainingSessionFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=TrainingSession.Kind.choices)
    date_from = django_filters.DateFilter(field_name="held_on", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="held_on", lookup_expr="lte")

    class Meta:
        model = TrainingSession
        fields = ["kind", "date_from", "date_to"]
