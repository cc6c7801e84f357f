from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import StaffChoiceField
from accounts.models import User
from core.forms import sane_date_validators
from referrals.models import Partner, Referral, ReferralKind


class ReferralForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReferralKind.choices)
    partner = forms.ModelChoiceField(
        label=_("Partner"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=_("Not chosen yet"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(Referral.Status.MADE, _("Made")), (Referral.Status.OFFERED, _("Offered"))],
    )
    follow_up_due = forms.DateField(
        validators=sane_date_validators(),
        label=_("Follow up by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for the usual delay for this kind."),
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Referral.Status.choices)
    note = forms.CharField(
        label=_("Outcome note"),
        max_length=280,
        required=False,
        help_text=_("No names or anything that identifies someone."),
    )


class FollowUpFilterForm(forms.Form):
    worker = StaffChoiceField(
        label=_("Worker"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Everyone"),
    )

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers


class PartnerForm(forms.ModelForm):
    services = forms.MultipleChoiceField(
        label=_("Services offered"),
        choices=ReferralKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Partner
        fields = ["name", "phone", "email", "address", "hours", "walk_in", "notes", "is_active"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, program_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.program_id = program_id
        if self.instance.pk:
            self.initial["services"] = list(self.instance.services.values_list("kind", flat=True))

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = Partner.objects.filter(program_id=self.program_id, name__iexact=name)
        if others.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("A partner with this name is already listed."))
        return name


class PartnerSearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False)
    kind = forms.ChoiceField(
        label=_("Service"),
        choices=[("", _("Any service")), *ReferralKind.choices],
        required=False,
    )
