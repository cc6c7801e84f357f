from django.urls import path

from security import views

app_name = "security"

urlpatterns = [
    path("accounts/two-factor/", views.two_factor, name="two_factor"),
    path("accounts/two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-factor/settings/", views.two_factor_settings, name="two_factor_settings"),
    path("accounts/two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("accounts/two-factor/off/", views.two_factor_off, name="two_factor_off"),
]
