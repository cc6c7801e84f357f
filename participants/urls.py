from django.urls import path

from participants import views

app_name = "participants"

urlpatterns = [
    path("participants/", views.participant_list, name="list"),
    path("participants/new/", views.participant_enroll, name="enroll"),
    path("participants/duplicates/", views.duplicate_list, name="duplicates"),
    path("participants/duplicates/<int:pk>/", views.duplicate_resolve, name="duplicate_resolve"),
    path("participants/<str:public_id>/", views.participant_detail, name="detail"),
    path("participants/<str:public_id>/edit/", views.participant_edit, name="edit"),
    path("participants/<str:public_id>/delete/", views.participant_delete, name="delete"),
]
