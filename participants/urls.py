from django.urls import path

from participants import views

app_name = "participants"

urlpatterns = [
    path("encounters/new/", views.encounter_new, name="encounter_new"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.web_manifest, name="web_manifest"),
    path("encounters/", views.encounter_list, name="encounter_list"),
    path("encounters/<uuid:pk>/undo/", views.encounter_undo, name="encounter_undo"),
    path("participants/", views.participant_list, name="list"),
    path("participants/new/", views.participant_enroll, name="enroll"),
    path("participants/finder/", views.participant_finder, name="finder"),
    path("participants/search/", views.participant_search, name="search"),
    path("participants/find-by-code/", views.participant_find_by_code, name="find_by_code"),
    path("participants/duplicates/", views.duplicate_list, name="duplicates"),
    path("participants/duplicates/<int:pk>/", views.duplicate_resolve, name="duplicate_resolve"),
    path("participants/pick/<str:public_id>/", views.participant_pick, name="pick"),
    path("participants/<str:public_id>/", views.participant_detail, name="detail"),
    path("participants/<str:public_id>/edit/", views.participant_edit, name="edit"),
    path("participants/<str:public_id>/delete/", views.participant_delete, name="delete"),
]
