from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.access import manager_required
from accounts.forms import LanguageForm
from accounts.selectors import locations_for, users_for
from accounts.services import set_user_language


@manager_required
def user_list(request):
    return render(request, "accounts/user_list.html", {"users": users_for(request.user)})


@manager_required
def location_list(request):
    locations = locations_for(request.user).prefetch_related("staff")
    return render(request, "accounts/location_list.html", {"locations": locations})


@require_POST
def set_language(request):
    """Switch the interface language: kept on the account when signed in, in a cookie always."""
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    # Always a URL, never a view name: redirect() would try to reverse whatever was posted.
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            set_user_language(user=request.user, language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=request.is_secure() or settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )
    return response


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)
