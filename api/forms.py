from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import StaffChoiceField
from accounts.models import User


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("What is it for?"),
        max_length=100,
        help_text=_("For example: the county data warehouse."),
    )
    user = StaffChoiceField(
        queryset=User.objects.none(),
        label=_("Acts as"),
        help_text=_("The token can do what this person can do, no more."),
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
