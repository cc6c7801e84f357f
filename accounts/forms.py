from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.sites.shortcuts import get_current_site
from django.utils.translation import gettext_lazy as _

from accounts.password_reset import request_password_reset


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with the user name's length checked on the server.

    Django sets the limit on the field after creating it, so only the browser enforced it; a
    longer name reached the failed-login log (django-axes), whose column is shorter: a 500.
    """

    def clean_username(self):
        username = self.cleaned_data["username"]
        limit = self.fields["username"].max_length
        if limit and len(username) > limit:
            raise forms.ValidationError(
                _("A user name has at most %(limit)d characters.") % {"limit": limit},
                code="max_length",
            )
        return username


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's "forgot your password" form, whose email goes out from a task after the page
    answered (accounts/password_reset.py) instead of while it waits."""

    def save(self, *, request, use_https=False, domain_override=None, **_unused):
        request_password_reset(
            users=list(self.get_users(self.cleaned_data["email"])),
            domain=domain_override or get_current_site(request).domain,
            use_https=use_https,
        )


class StaffChoiceField(forms.ModelChoiceField):
    """A choice of staff member named as every list row names them (User.display_name), so a
    filter offers the "Casey" the rows show, not the user name "outreach3"."""

    def label_from_instance(self, obj) -> str:
        return obj.display_name
