from django.urls import path

from community_log import views

app_name = "community_log"

urlpatterns = [
    path("", views.log, name="log"),
    path("complaints/new/", views.complaint_new, name="complaint_new"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint"),
    path("complaints/<int:pk>/reported/", views.complaint_reported, name="complaint_reported"),
    path("injuries/new/", views.stick_injury_new, name="stick_injury_new"),
    path("found-syringes/new/", views.found_syringes_new, name="found_syringes_new"),
    path("found-syringes/<int:pk>/cleanup/", views.cleanup_new, name="cleanup_new"),
    path("police/new/", views.police_interaction_new, name="police_interaction_new"),
]
