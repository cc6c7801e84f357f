"""Program A with a small catalogue in stock at its drop-in, and API clients for the named users."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from encounters.services import SupplyLine, record_encounter
from supplies.models import Item
from supplies.services import receive_shipment
from tests.factories import ItemFactory, ParticipantFactory

CODE_ANSWERS = {
    "mother_first_name": "María",
    "birth_month": "03",
    "birth_year": "1985",
    "birth_place": "Tucson",
    "gender": "F",
}


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Throttle counters live in the cache (Redis in CI): each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def syringes(program_a):
    return ItemFactory(program=program_a, name="Syringe 1 mL", max_per_encounter=500)


@pytest.fixture
def naloxone(program_a):
    return ItemFactory(
        program=program_a,
        name="Naloxone nasal",
        category=Item.Category.NALOXONE,
        tracks_lots=True,
        doses_per_unit=2,
        max_per_encounter=10,
    )


@pytest.fixture
def stock_a(site_a, manager_a, syringes, naloxone):
    """At site A: 1,000 syringes and 5 naloxone kits."""
    receive_shipment(by=manager_a, location=site_a, item=syringes, quantity=1000)
    receive_shipment(
        by=manager_a,
        location=site_a,
        item=naloxone,
        quantity=5,
        lot_number="N1",
        expires_on=site_a.program.today() + timedelta(days=300),
    )
    return {"syringes": syringes, "naloxone": naloxone}


@pytest.fixture
def participant_a(program_a):
    return ParticipantFactory(program=program_a, alias="Sky")


@pytest.fixture
def participant_b(program_b):
    return ParticipantFactory(program=program_b, alias="River")


@pytest.fixture
def encounter_a(outreach_a, site_a, participant_a, stock_a):
    encounter, _created = record_encounter(
        by=outreach_a,
        participant=participant_a,
        location=site_a,
        kind="fixed_site",
        supplies=[SupplyLine(item=stock_a["syringes"], quantity=10)],
    )
    return encounter


def api_client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def anonymous_api():
    return api_client()


@pytest.fixture
def outreach_a_api(outreach_a):
    return api_client(outreach_a)


@pytest.fixture
def manager_a_api(manager_a):
    return api_client(manager_a)


@pytest.fixture
def outreach_b_api(outreach_b):
    return api_client(outreach_b)


@pytest.fixture
def funder_api(funder):
    return api_client(funder)


@pytest.fixture
def code_answers():
    return dict(CODE_ANSWERS)
