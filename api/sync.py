"""POST /api/v1/sync/: up to 500 encounters queued offline, each checked and stored on its own
(api.services.sync_encounters); the contract is in api/README.md."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.services import sync_encounters
from core.rest.views import ApiViewMixin

MOST_SYNC_ITEMS = 500


class SyncRequestSerializer(serializers.Serializer):
    """Only the envelope: each item is checked on its own, so one bad item rejects only itself."""

    items = serializers.ListField(
        child=serializers.DictField(),
        allow_empty=False,
        max_length=MOST_SYNC_ITEMS,
        error_messages={
            "max_length": _("Send at most {max_length} items at a time."),
            "empty": _("Send at least one item."),
        },
    )


class SyncItemResultSerializer(serializers.Serializer):
    id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["created", "exists", "rejected"])
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    participant_public_id = serializers.CharField(allow_null=True)
    participant_enrolled = serializers.BooleanField()
    retry = serializers.BooleanField(
        help_text=_("Rejected by an error of the server, not of the item: keep it, send it later.")
    )


class SyncCountsSerializer(serializers.Serializer):
    created = serializers.IntegerField(read_only=True)
    exists = serializers.IntegerField(read_only=True)
    rejected = serializers.IntegerField(read_only=True)


class SyncResponseSerializer(serializers.Serializer):
    results = SyncItemResultSerializer(many=True)
    counts = SyncCountsSerializer()


@extend_schema(tags=["sync"])
class SyncView(ApiViewMixin, APIView):
    """Up to 500 encounters queued offline, each stored once; an answer per item."""

    throttle_scope = "sync"

    @extend_schema(
        request=SyncRequestSerializer,
        responses={200: SyncResponseSerializer},
        description="See the sync contract in api/README.md.",
    )
    def post(self, request):
        envelope = SyncRequestSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        results = sync_encounters(
            by=request.user, items=envelope.validated_data["items"], request=request
        )
        counts = {"created": 0, "exists": 0, "rejected": 0}
        for result in results:
            counts[result["status"]] += 1
        return Response({"results": results, "counts": counts})
