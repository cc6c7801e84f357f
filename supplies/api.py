"""The API of sharps disposals: list and read for program staff, record for managers.

The viewset calls the same selector and service as the page (`supplies/views.py`); the router
in `api/urls.py` mounts it at /api/v1/sharps-disposals/.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.models import Location
from accounts.selectors import locations_for
from supplies import services
from supplies.models import SharpsDisposal
from supplies.selectors import sharps_disposals_for


class SharpsDisposalSerializer(serializers.ModelSerializer):
    location_name = serializers.CharField(source="location.name", read_only=True)

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
    disposed_on = serializers.DateField()
    containers = serializers.IntegerField(min_value=1)
    weight_pounds = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, allow_null=True
    )
    syringes_counted = serializers.IntegerField(required=False, allow_null=True, min_value=0)
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
        disposal = services.record_sharps_disposal(
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
