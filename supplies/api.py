"""The supplies' endpoints: the catalogue (/api/v1/items/, /api/v1/kits/) a phone caches for
offline use, and what is on hand (/api/v1/stock-levels/). Read-only: stock moves through
supplies.services, from the pages or with an encounter."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.models import Location
from accounts.selectors import locations_for
from core.rest.fields import SaneDateField
from core.rest.serializers import ModelSerializer
from core.rest.views import ApiViewMixin
from supplies import field_records, selectors
from supplies.forms import MOST_PER_ENTRY
from supplies.models import Item, Kit, KitItem, SharpsDisposal, StockLevel
from supplies.selectors import sharps_disposals_for


class StockLevelFilter(django_filters.FilterSet):
    # Choices from the user's own scope: another program's location is a 400, not a peek.
    location = django_filters.ModelChoiceFilter(
        field_name="location", queryset=lambda request: locations_for(request.user)
    )
    item = django_filters.NumberFilter(field_name="lot__item_id")


class ItemSerializer(ModelSerializer):
    # Read-only model fields lose `allow_blank`, so the schema would not admit "" (not a strip).
    test_strip_kind = serializers.ChoiceField(
        choices=Item.TestStripKind.choices, allow_blank=True, read_only=True
    )
    localized_name = serializers.CharField(
        read_only=True, help_text=_("The name in the language of the request.")
    )
    # Blank for items that are not test strips: the schema says so.
    test_strip_kind = serializers.ChoiceField(
        choices=Item.TestStripKind.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Item
        fields = [
            "id",
            "name",
            "name_translations",
            "localized_name",
            "category",
            "unit",
            "tracks_lots",
            "doses_per_unit",
            "test_strip_kind",
            "max_per_encounter",
            "display_order",
            "is_active",
        ]
        read_only_fields = fields


class KitLineSerializer(ModelSerializer):
    item_name = serializers.CharField(source="item.localized_name", read_only=True)

    class Meta:
        model = KitItem
        fields = ["item", "item_name", "quantity"]
        read_only_fields = fields


class KitSerializer(ModelSerializer):
    localized_name = serializers.CharField(
        read_only=True, help_text=_("The name in the language of the request.")
    )
    lines = KitLineSerializer(many=True, read_only=True)

    class Meta:
        model = Kit
        fields = ["id", "name", "name_translations", "localized_name", "lines"]
        read_only_fields = fields


class StockLevelSerializer(ModelSerializer):
    location_name = serializers.CharField(source="location.localized_name", read_only=True)
    item = serializers.IntegerField(source="lot.item_id", read_only=True)
    item_name = serializers.CharField(source="lot.item.localized_name", read_only=True)
    lot_number = serializers.CharField(source="lot.lot_number", read_only=True)
    expires_on = serializers.DateField(source="lot.expires_on", read_only=True, allow_null=True)
    funding_source = serializers.CharField(
        source="lot.funding_source.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = StockLevel
        fields = [
            "location",
            "location_name",
            "item",
            "item_name",
            "lot",
            "lot_number",
            "expires_on",
            "funding_source",
            "on_hand",
        ]
        read_only_fields = fields


@extend_schema(tags=["supplies"])
class ItemViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """The items of your program's catalogue (the list: active ones, in display order)."""

    serializer_class = ItemSerializer

    def get_queryset(self):
        items = selectors.items_for(self.request.user).order_by("display_order", "name")
        return items.filter(is_active=True) if self.action == "list" else items


@extend_schema(tags=["supplies"])
class KitViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Active kits: named bundles of items given with one tap."""

    serializer_class = KitSerializer

    def get_queryset(self):
        return selectors.kits_for(self.request.user).order_by("name")


@extend_schema(tags=["supplies"])
class StockLevelViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Lots on hand, by location, item and expiry (first to expire first)."""

    serializer_class = StockLevelSerializer
    filterset_class = StockLevelFilter

    def get_queryset(self):
        return selectors.stock_levels(self.request.user)


# --- Sharps disposals ---------------------------------------------------------------------------


class SharpsDisposalSerializer(ModelSerializer):
    location_name = serializers.CharField(source="location.localized_name", read_only=True)

    class Meta:
        model = SharpsDisposal
        fields = [
            "id",
            "location",
            "location_name",
            "disposed_on",
            "containers",
            "weight_pounds",
            "syringes_estimated",
            "vendor",
            "manifest_number",
            "created_at",
        ]
        read_only_fields = fields


class SharpsDisposalInSerializer(serializers.Serializer):
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.none())
    disposed_on = SaneDateField()
    containers = serializers.IntegerField(min_value=1, max_value=MOST_PER_ENTRY)
    weight_pounds = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, allow_null=True
    )
    syringes_counted = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=10 * MOST_PER_ENTRY
    )
    vendor = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    manifest_number = serializers.CharField(max_length=60)

    def __init__(self, *args, locations=None, **kwargs):
        # Without locations (the schema generator) no location is valid.
        super().__init__(*args, **kwargs)
        if locations is not None:
            self.fields["location"].queryset = locations


@extend_schema(tags=["supplies"])
class SharpsDisposalViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Sharps containers handed to a disposal service, with the syringes they held (estimated)."""

    serializer_class = SharpsDisposalSerializer

    def get_queryset(self):
        return sharps_disposals_for(self.request.user)

    @extend_schema(request=SharpsDisposalInSerializer, responses={201: SharpsDisposalSerializer})
    def create(self, request, *args, **kwargs):
        user = request.user
        if not user.is_manager:
            raise PermissionDenied(_("Only managers record sharps disposals."))
        incoming = SharpsDisposalInSerializer(
            data=request.data, locations=locations_for(user).filter(is_active=True)
        )
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        disposal = field_records.record_sharps_disposal(
            by=user,
            location=data["location"],
            disposed_on=data["disposed_on"],
            containers=data["containers"],
            weight_pounds=data.get("weight_pounds"),
            syringes_counted=data.get("syringes_counted"),
            vendor=data.get("vendor", ""),
            manifest_number=data["manifest_number"],
        )
        return Response(SharpsDisposalSerializer(disposal).data, status=status.HTTP_201_CREATED)
