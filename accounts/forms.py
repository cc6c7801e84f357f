from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.sites.shortcuts import get_current_site
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Location, User
from accounts.password_reset import request_password_reset
from accounts.selectors import locations_for
from accounts.services import STAFF_ROLES, StaffError


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


class StaffMemberForm(forms.Form):
    """A staff member as their manager sees them: name, email, role and where they work. The
    user name is chosen once, when the account is added."""

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[User.username_validator],
        help_text=_("What they type to sign in: letters, digits and @ . + - _ only."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("The link to choose their password is sent here."),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(role.value, role.label) for role in STAFF_ROLES],
        widget=forms.RadioSelect,
    )
    locations = forms.ModelMultipleChoiceField(
        label=_("Locations they work at"),
        queryset=Location.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("A manager works at every location of the program."),
    )

    def __init__(self, *args, by: User, staff_member: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff_member = staff_member
        choices = Q(is_active=True)
        if staff_member is not None:
            del self.fields["username"]
            choices |= Q(staff=staff_member)
            self.initial.update(
                first_name=staff_member.first_name,
                last_name=staff_member.last_name,
                email=staff_member.email,
                role=staff_member.role,
                locations=list(staff_member.locations.all()),
            )
        self.fields["locations"].queryset = locations_for(by).filter(choices).distinct()

    def clean_username(self):
        username = User.normalize_username(self.cleaned_data["username"].strip())
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This user name is taken. Choose another."))
        return username

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        others = User.objects.filter(email__iexact=email)
        if self.staff_member is not None:
            others = others.exclude(pk=self.staff_member.pk)
        if others.exists():
            raise forms.ValidationError(_("Another account already uses this email address."))
        return email

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == User.Role.OUTREACH and not cleaned.get("locations"):
            self.add_error("locations", _("Choose at least one location they work at."))
        return cleaned

    def add_staff_error(self, error: StaffError) -> None:
        """Show what the service refused next to the field at fault, or above the form."""
        self.add_error(error.field if error.field in self.fields else None, error.message)


class StaffChoiceField(forms.ModelChoiceField):
    """A choice of staff member named as every list row names them (User.display_name), so a
    filter offers the "Casey" the rows show, not the user name "outreach3"."""

    def label_from_instance(self, obj) -> str:
        return obj.display_name
