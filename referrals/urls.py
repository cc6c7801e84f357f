from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("follow-ups/", views.follow_up_list, name="follow_ups"),
    path("new/<str:public_id>/", views.referral_new, name="new"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("partners/", views.partner_list, name="partners"),
    path("partners/new/", views.partner_edit, name="partner_new"),
    path("partners/<int:pk>/", views.partner_edit, name="partner_edit"),
]
