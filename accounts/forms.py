from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
