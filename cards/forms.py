from django import forms
from django.utils.translation import gettext_lazy as _

from cards.models import CardSettings, ParticipantCard
from cards.services import SHORT_CODE_LENGTH, normalise_short_code

Because = ParticipantCard.RevokedBecause


class CardSettingsForm(forms.ModelForm):
    class Meta:
        model = CardSettings
        fields = ["phone", "legal_text_en", "legal_text_es", "legal_text_reviewed"]
        widgets = {
            "legal_text_en": forms.Textarea(attrs={"rows": 6}),
            "legal_text_es": forms.Textarea(attrs={"rows": 6}),
        }


class ReplaceCardForm(forms.Form):
    because = forms.ChoiceField(
        label=_("Why"),
        choices=[(Because.LOST, Because.LOST.label), (Because.REPLACED, _("Damaged or worn"))],
        initial=Because.LOST,
    )


class RevokeCardForm(forms.Form):
    because = forms.ChoiceField(
        label=_("Why"),
        choices=[(value, label) for value, label in Because.choices if value != Because.REPLACED],
    )


class CheckCodeForm(forms.Form):
    """The check page's box for the short code printed under the QR code."""

    code = forms.CharField(
        label=_("Check code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_code(self) -> str:
        code = normalise_short_code(self.cleaned_data["code"])
        if len(code) != SHORT_CODE_LENGTH:
            raise forms.ValidationError(
                _("A check code has %(count)d letters and digits, like 7K3QX-9M2PA."),
                params={"count": SHORT_CODE_LENGTH},
            )
        return code
