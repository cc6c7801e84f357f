from django.urls import path, re_path

from training import views

app_name = "training"

urlpatterns = [
    path("trainings/", views.training_list, name="list"),
    path("trainings/new/", views.training_new, name="new"),
    path("trainings/<int:pk>/", views.training_detail, name="detail"),
    path(
        "trainings/<int:pk>/certificates/",
        views.issue_certificates,
        name="issue_certificates",
    ),
    re_path(
        r"^trainings/certificates/(?P<code>[A-Za-z0-9]{1,20})\.pdf$",
        views.certificate_download,
        name="certificate",
    ),
    path("verify/<str:code>/", views.verify, name="verify"),
]
