from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import StaffChoiceField
from accounts.models import User
from audit.object_names import namer_reading
from audit.selectors import AuditFilters
from core.forms import DateRangeForm


class AuditFilterForm(DateRangeForm):
    user = StaffChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("User"),
        empty_label=_("Anyone"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    action = forms.CharField(
        required=False,
        max_length=100,
        label=_("Action"),
        help_text=_("A whole action or its beginning, e.g. participants.participant.viewed"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    object_type = forms.ChoiceField(
        required=False,
        label=_("Object type"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    object_id = forms.CharField(
        required=False,
        max_length=64,
        label=_("Object id"),
        help_text=_("A row id, or a participant's card id such as HR-7K3QX"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, user: User, object_types: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.requesting_user = user
        self.fields["user"].queryset = User.objects.filter(program_id=user.program_id).order_by(
            "username"
        )
        self.fields["object_type"].choices = [("", _("Any type")), *object_types]

    def clean_action(self):
        return self.cleaned_data["action"].strip()

    def clean(self):
        cleaned = super().clean()
        object_id = (cleaned.get("object_id") or "").strip()
        namer = namer_reading(object_id)
        if namer is not None:
            pk = namer.find(self.requesting_user, object_id)
            if pk is None:
                self.add_error("object_id", namer.not_found)
            else:
                object_id = pk
                cleaned["object_type"] = namer.object_type
        cleaned["object_id"] = object_id
        return cleaned

    def filters(self) -> AuditFilters:
        if not self.is_bound or not self.is_valid():
            return AuditFilters()
        data = self.cleaned_data
        return AuditFilters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            user_id=data["user"].pk if data["user"] else None,
            action=data["action"],
            object_type=data["object_type"],
            object_id=data["object_id"],
        )
