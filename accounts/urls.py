from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.forms import QueuedPasswordResetForm, SignInForm

app_name = "accounts"

urlpatterns = [
    path("manage/users/", views.user_list, name="users"),
    path("manage/users/new/", views.user_new, name="user_new"),
    path("manage/users/<int:pk>/", views.user_edit, name="user_edit"),
    path("manage/users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("manage/users/<int:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("manage/users/<int:pk>/invite/", views.user_invite, name="user_invite"),
    path("manage/locations/", views.location_list, name="locations"),
    path("language/", views.set_language, name="language"),
]

# Django's own login, logout, password change and reset pages, with our templates; the reset
# email goes out from a task (accounts/password_reset.py).
auth_urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=SignInForm
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.ActivePasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
