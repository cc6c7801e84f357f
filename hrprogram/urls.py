from django.contrib import admin
from django.urls import include, path

from accounts.urls import auth_urlpatterns
from core.javascript_catalog import javascript_catalog
from hrprogram import health, views

urlpatterns = [
    path("", views.home, name="home"),
    *auth_urlpatterns,
    path("", include("accounts.urls")),
    path("", include("security.urls")),
    path("", include("encounters.urls")),
    path("", include("participants.urls")),
    path("referrals/", include("referrals.urls")),
    path("", include("training.urls")),
    path("", include("cards.urls")),
    path("community-log/", include("community_log.urls")),
    path("supplies/", include("supplies.urls")),
    path("reports/", include("reports.urls")),
    path("audit/", include("audit.urls")),
    path("api/", include("api.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("jsi18n/<str:language>/", javascript_catalog, name="javascript_catalog"),
    path("admin/", admin.site.urls),
]

handler403 = "accounts.views.permission_denied"
handler404 = "accounts.views.page_not_found"
handler500 = "hrprogram.errors.server_error"
