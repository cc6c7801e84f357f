"""Every field of a participant is classified, so the forms, the API and retention agree on what
is personal data."""

from participants.forms import ParticipantProfileForm
from participants.models import Participant


def test_every_field_of_a_participant_is_profile_identity_or_system():
    fields = {field.name for field in Participant._meta.concrete_fields}
    classified = [
        *Participant.PROFILE_FIELDS,
        *Participant.IDENTITY_FIELDS,
        *Participant.SYSTEM_FIELDS,
    ]

    assert len(classified) == len(set(classified)), "a field is classified twice"
    unclassified = fields - set(classified)
    assert not unclassified, (
        f"classify {sorted(unclassified)} in Participant.PROFILE_FIELDS (erased by retention), "
        "IDENTITY_FIELDS or SYSTEM_FIELDS"
    )
    assert not set(classified) - fields, "a classified field no longer exists"


def test_the_profile_form_asks_every_profile_field():
    assert set(Participant.PROFILE_FIELDS) <= set(ParticipantProfileForm.base_fields)
