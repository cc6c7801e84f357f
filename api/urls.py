from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api import views, viewsets
from supplies.api import SharpsDisposalViewSet

app_name = "api"

router = SimpleRouter()
router.register("participants", viewsets.ParticipantViewSet, basename="participant")
router.register("encounters", viewsets.EncounterViewSet, basename="encounter")
router.register("items", viewsets.ItemViewSet, basename="item")
router.register("kits", viewsets.KitViewSet, basename="kit")
router.register("locations", viewsets.LocationViewSet, basename="location")
router.register("stock-levels", viewsets.StockLevelViewSet, basename="stock-level")
router.register("sharps-disposals", SharpsDisposalViewSet, basename="sharps-disposal")
router.register("referrals", viewsets.ReferralViewSet, basename="referral")
router.register("training-sessions", viewsets.TrainingSessionViewSet, basename="training-session")
router.register("report-runs", viewsets.ReportRunViewSet, basename="report-run")

urlpatterns = [
    path("v1/sync/", viewsets.SyncView.as_view(), name="sync"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    # Anything else under /api/ is a JSON 404, not the HTML page.
    re_path(r"^[\s\S]*$", views.not_found, name="not_found"),
]
