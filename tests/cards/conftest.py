import pytest
from django.core.cache import cache

from cards import services
from demo.cards import NEW_MEXICO_TEMPLATE_EN, NEW_MEXICO_TEMPLATE_ES
from participants.models import Characteristic
from tests.factories import ParticipantFactory


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """The check page's counts live in the cache (Redis in CI): each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def card_settings_a(manager_a):
    return services.update_card_settings(
        by=manager_a,
        phone="(505) 555-0100",
        legal_text_en=NEW_MEXICO_TEMPLATE_EN,
        legal_text_es=NEW_MEXICO_TEMPLATE_ES,
        legal_text_reviewed=True,
    )


@pytest.fixture
def participant_a(program_a):
    participant = ParticipantFactory(
        program=program_a,
        alias="Moonbeam",
        birth_year=1983,
        gender_identity="trans_woman",
        zip3="871",
    )
    Characteristic.objects.create(participant=participant, question="substance", value="xylazine")
    return participant


@pytest.fixture
def card_a(outreach_a, participant_a, card_settings_a):
    return services.issue_card(by=outreach_a, participant=participant_a)
