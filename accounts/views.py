from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services
from accounts.access import manager_required
from accounts.forms import LanguageForm, StaffMemberForm
from accounts.selectors import locations_for, staff_managed_by, users_for
from accounts.services import set_user_language


@manager_required
def user_list(request):
    return render(request, "accounts/user_list.html", {"users": users_for(request.user)})


def _link_options(request) -> dict:
    """Where the link in an invitation points: this site, as the page was asked for."""
    return {"domain": get_current_site(request).domain, "use_https": request.is_secure()}


@manager_required
def user_new(request):
    form = StaffMemberForm(request.POST or None, by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            staff_member = services.add_staff_member(
                by=request.user, **form.cleaned_data, **_link_options(request)
            )
        except services.StaffError as error:
            form.add_staff_error(error)
        else:
            messages.success(
                request,
                _("%(name)s was added. A link to choose their password is on its way to %(email)s.")
                % {"name": staff_member.display_name, "email": staff_member.email},
            )
            return redirect("accounts:users")
    return render(request, "accounts/user_edit.html", {"form": form, "staff_member": None})


@manager_required
def user_edit(request, pk: int):
    staff_member = get_object_or_404(staff_managed_by(request.user), pk=pk)
    form = StaffMemberForm(request.POST or None, by=request.user, staff_member=staff_member)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_staff_member(
                by=request.user, staff_member=staff_member, **form.cleaned_data
            )
        except services.StaffError as error:
            form.add_staff_error(error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("accounts:users")
    return render(request, "accounts/user_edit.html", {"form": form, "staff_member": staff_member})


def _act_on_staff_member(request, pk: int, action, done: str, **options):
    staff_member = get_object_or_404(staff_managed_by(request.user), pk=pk)
    try:
        action(by=request.user, staff_member=staff_member, **options)
    except services.StaffError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done % {"name": staff_member.display_name})
    return redirect("accounts:user_edit", pk=staff_member.pk)


@require_POST
@manager_required
def user_deactivate(request, pk: int):
    return _act_on_staff_member(
        request,
        pk,
        services.deactivate_staff_member,
        _("%(name)s is deactivated: they are signed out and cannot sign in."),
    )


@require_POST
@manager_required
def user_reactivate(request, pk: int):
    return _act_on_staff_member(
        request,
        pk,
        services.reactivate_staff_member,
        _("%(name)s is active again and can sign in."),
    )


@require_POST
@manager_required
def user_invite(request, pk: int):
    return _act_on_staff_member(
        request,
        pk,
        services.resend_invitation,
        _("A new link to choose their password is on its way to %(name)s."),
        **_link_options(request),
    )


@manager_required
def location_list(request):
    locations = locations_for(request.user).prefetch_related("staff")
    return render(request, "accounts/location_list.html", {"locations": locations})


class ActivePasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's page that sets a password from an emailed link, for active accounts only: the
    link of an account deactivated since (an invitation that went to the wrong address, say)
    sets nothing, so reactivating it later lets no one in."""

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None


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
