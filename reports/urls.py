from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("extract.csv", views.encounter_extract, name="encounter_extract"),
    path("definitions/new/", views.definition_new, name="definition_new"),
    path("definitions/ready/", views.ready_definitions_add, name="ready_definitions_add"),
    path("definitions/<int:pk>/", views.definition_detail, name="definition"),
    path("definitions/<int:pk>/edit/", views.definition_edit, name="definition_edit"),
    path("definitions/<int:pk>/run/", views.run_request, name="run_request"),
    path("runs/new/", views.run_request_from_list, name="run_request_from_list"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/retry/", views.run_retry, name="run_retry"),
    path("runs/<int:pk>/publish/", views.run_publish, name="run_publish"),
    path("runs/<int:pk>/<str:file_format>/", views.run_download, name="run_download"),
    path("community/settings/", views.community_settings, name="community_settings"),
    path("community/<slug:slug>/", views.community_report, name="community"),
]
