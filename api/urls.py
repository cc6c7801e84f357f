from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from accounts.api import LocationViewSet
from api import views
from api.sync import SyncView
from cards.api import ParticipantCardViewSet
from community_log import api as community_log_api
from encounters.api import EncounterViewSet
from participants.api import ParticipantViewSet
from referrals.api import ReferralViewSet
from reports.api import ReportRunViewSet
from supplies.api import ItemViewSet, KitViewSet, SharpsDisposalViewSet, StockLevelViewSet
from training.api import TrainingSessionViewSet

app_name = "api"

# Each app's endpoints live in its own api.py; only the routes are here.
router = SimpleRouter()
router.register("participants", ParticipantViewSet, basename="participant")
router.register("encounters", EncounterViewSet, basename="encounter")
router.register("items", ItemViewSet, basename="item")
router.register("kits", KitViewSet, basename="kit")
router.register("locations", LocationViewSet, basename="location")
router.register("stock-levels", StockLevelViewSet, basename="stock-level")
router.register("sharps-disposals", SharpsDisposalViewSet, basename="sharps-disposal")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("training-sessions", TrainingSessionViewSet, basename="training-session")
router.register("report-runs", ReportRunViewSet, basename="report-run")
router.register("participant-cards", ParticipantCardViewSet, basename="participant-card")
router.register("community/complaints", community_log_api.ComplaintViewSet, basename="complaint")
router.register(
    "community/stick-injuries", community_log_api.StickInjuryViewSet, basename="stick-injury"
)
router.register(
    "community/found-syringes",
    community_log_api.FoundSyringeReportViewSet,
    basename="found-syringe-report",
)
router.register(
    "community/police-interactions",
    community_log_api.PoliceInteractionViewSet,
    basename="police-interaction",
)

urlpatterns = [
    path("v1/sync/", SyncView.as_view(), name="sync"),
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
