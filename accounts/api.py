"""The locations' endpoint (/api/v1/locations/): where the program works, and with
`?assigned=true` where the user may record encounters (what a phone caches for offline use)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets

from accounts.selectors import assigned_locations, locations_for
from core.rest.views import ApiViewMixin


class LocationFilter(django_filters.FilterSet):
    assigned = django_filters.BooleanFilter(
        method="filter_assigned", label=_("Only the locations you may record encounters at")
    )
    is_active = django_filters.BooleanFilter()

    def filter_assigned(self, queryset, name, value):
        if value:
            return queryset.filter(pk__in=assigned_locations(self.request.user).values("pk"))
        return queryset


class LocationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    name_translations = serializers.DictField(
        child=serializers.CharField(), read_only=True, help_text=_("The name in other languages.")
    )
    localized_name = serializers.CharField(
        read_only=True, help_text=_("The name in the language of the request.")
    )
    kind = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)


# Listed with the catalogue under the supplies tag, where the schema has always had it.
@extend_schema(tags=["supplies"])
class LocationViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Your program's locations; `?assigned=true`: those you may record encounters at."""

    serializer_class = LocationSerializer
    filterset_class = LocationFilter

    def get_queryset(self):
        return locations_for(self.request.user).order_by("name")
