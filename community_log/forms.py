from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community_log.models import Complaint, FoundSyringeReport, PoliceInteraction, StickInjury

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})


class ComplaintForm(forms.ModelForm):
    received_at = forms.DateTimeField(
        label=_("Received at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("The 72 hours to report it to the state start here."),
    )

    class Meta:
        model = Complaint
        fields = ["received_at", "source_kind", "place", "what", "response", "resolved"]
        widgets = {"what": TEXT, "response": TEXT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.initial.get("received_at"):
            self.initial["received_at"] = timezone.localtime().replace(second=0, microsecond=0)


class ComplaintResponseForm(forms.ModelForm):
    class Meta:
        model = Complaint
        fields = ["response", "resolved"]
        widgets = {"response": TEXT}


class StickInjuryForm(forms.ModelForm):
    class Meta:
        model = StickInjury
        fields = ["occurred_on", "injured_person", "place", "what_happened", "referred_to_care"]
        widgets = {"occurred_on": DATE, "what_happened": TEXT}


class FoundSyringeForm(forms.ModelForm):
    location = forms.ModelChoiceField(
        label=_("Cleaned up by the team of"), queryset=None, required=False
    )
    cleaned_up_on = forms.DateField(label=_("Cleaned up on"), required=False, widget=DATE)
    syringes_collected = forms.IntegerField(
        label=_("Syringes collected"),
        min_value=1,
        max_value=100_000,
        required=False,
        help_text=_("Counted among the used syringes collected, as a community clean-up."),
    )

    class Meta:
        model = FoundSyringeReport
        fields = ["reported_on", "source_kind", "place", "syringes_found"]
        widgets = {"reported_on": DATE}

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
        self.fields["place"].required = True
        self.fields["syringes_found"].widget.attrs["max"] = 100_000

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("syringes_collected"):
            for field in ("location", "cleaned_up_on"):
                if not cleaned.get(field):
                    self.add_error(field, _("Needed when syringes were collected."))
        return cleaned


class CleanupForm(forms.Form):
    location = forms.ModelChoiceField(label=_("Cleaned up by the team of"), queryset=None)
    cleaned_up_on = forms.DateField(label=_("Cleaned up on"), widget=DATE)
    syringes_collected = forms.IntegerField(
        label=_("Syringes collected"), min_value=1, max_value=100_000
    )

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations


class PoliceInteractionForm(forms.ModelForm):
    class Meta:
        model = PoliceInteraction
        fields = [
            "occurred_on",
            "kind",
            "place",
            "card_shown",
            "supplies_confiscated",
            "description",
        ]
        widgets = {"occurred_on": DATE, "description": TEXT}
