from django.urls import path

from encounters import offline, views

app_name = "encounters"

urlpatterns = [
    path("encounters/new/", views.encounter_new, name="new"),
    path("encounters/", views.encounter_list, name="list"),
    path("encounters/<uuid:pk>/undo/", views.encounter_undo, name="undo"),
    path("encounters/<uuid:pk>/correct/", views.encounter_correct, name="correct"),
    path("encounters/<uuid:pk>/void/", views.encounter_void, name="void"),
    # The encounter screen's htmx parts for choosing who the encounter is with.
    path("participants/finder/", views.participant_finder, name="finder"),
    path("participants/search/", views.participant_search, name="search"),
    path("participants/find-by-code/", views.participant_find_by_code, name="find_by_code"),
    path("participants/pick/<str:public_id>/", views.participant_pick, name="pick"),
    # The installable app, served from the root so the service worker's scope is the whole site.
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.web_manifest, name="web_manifest"),
]
