"""The measures of participant cards, the community-relations log and educational materials,
and the state annual report that carries them."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from cards import services as card_services
from community_log import services as log_services
from encounters.models import Encounter
from encounters.services import SupplyLine, record_encounter
from reports import measures
from reports.measures import Scope
from reports.ready_definitions import READY_DEFINITIONS
from supplies.models import Item
from supplies.services import receive_shipment
from tests.factories import ItemFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
COMMUNITY_MEASURES = [
    "educational_materials_distributed",
    "cards_issued",
    "card_verifications",
    "complaints_received",
    "complaints_reported_in_time",
    "complaints_resolved",
    "stick_injuries",
    "found_syringe_reports",
    "found_syringe_reports_cleaned_up",
    "police_interactions",
    "police_confiscations",
    "police_confiscations_despite_card",
]


@pytest.fixture
def march_of_program_a(program_a, site_a, outreach_a, manager_a):
    """On 20 March (New York): two cards (one replaced), three checks, complaints, injuries,
    found syringes, police interactions and leaflets handed out."""
    with time_machine.travel(datetime(2026, 3, 20, 16, 0, tzinfo=UTC), tick=False):
        first, second = (ParticipantFactory(program=program_a) for _ in range(2))
        card = card_services.issue_card(by=outreach_a, participant=first)
        card_services.issue_card(by=outreach_a, participant=second)
        card_services.verify_card(token=card.token)
        card_services.reissue_card(by=outreach_a, participant=first)
        card_services.verify_card(token=card.token)  # replaced: not valid, still a check
        card_services.verify_card(token="unknown-token-of-nobody")  # no program: not counted
        now = datetime(2026, 3, 20, 16, 0, tzinfo=UTC)
        in_time = log_services.record_complaint(
            by=outreach_a, received_at=now - timedelta(hours=90), source_kind="business", what="A"
        )
        late = log_services.record_complaint(
            by=outreach_a, received_at=now - timedelta(hours=80), source_kind="resident", what="B"
        )
        log_services.record_complaint(
            by=outreach_a, received_at=now - timedelta(hours=1), source_kind="official", what="C"
        )
        with time_machine.travel(now - timedelta(hours=85), tick=False):
            log_services.mark_complaint_reported(by=manager_a, complaint=in_time)
        log_services.mark_complaint_reported(by=manager_a, complaint=late)
        log_services.update_complaint(by=manager_a, complaint=late, response="Met", resolved=True)
        log_services.record_stick_injury(
            by=outreach_a, occurred_on=date(2026, 3, 19), injured_person="child"
        )
        today = program_a.today()
        log_services.record_found_syringes(
            by=outreach_a, reported_on=today, source_kind="resident", place="Park"
        )
        log_services.record_found_syringes(
            by=outreach_a,
            reported_on=today,
            source_kind="staff",
            place="Bridge",
            location=site_a,
            cleaned_up_on=today,
            syringes_collected=9,
        )
        for kind, card_shown, taken in [
            ("stop", False, False),
            ("search", True, True),
            ("search", False, True),
        ]:
            log_services.record_police_interaction(
                by=outreach_a,
                occurred_on=today,
                kind=kind,
                card_shown=card_shown,
                supplies_confiscated=taken,
            )
        leaflet = ItemFactory(program=program_a, name="Leaflet", category=Item.Category.EDUCATIONAL)
        receive_shipment(by=manager_a, location=site_a, item=leaflet, quantity=50)
        record_encounter(
            by=outreach_a,
            participant=first,
            location=site_a,
            kind=Encounter.Kind.FIXED_SITE,
            supplies=[SupplyLine(item=leaflet, quantity=3)],
        )
    return program_a


def test_the_community_relations_measures_of_march(march_of_program_a):
    scope = Scope(program=march_of_program_a, start=MARCH[0], end=MARCH[1])

    assert measures.compute(scope, COMMUNITY_MEASURES) == {
        "educational_materials_distributed": 3,
        "cards_issued": 3,  # two first cards and one replacement
        "card_verifications": 2,  # the unknown token belongs to no program
        "complaints_received": 3,
        "complaints_reported_in_time": 1,
        "complaints_resolved": 1,
        "stick_injuries": 1,
        "found_syringe_reports": 2,
        "found_syringe_reports_cleaned_up": 1,
        "police_interactions": 3,
        "police_confiscations": 2,
        "police_confiscations_despite_card": 1,
    }


def test_the_clean_up_counts_among_the_used_syringes_collected(march_of_program_a):
    scope = Scope(program=march_of_program_a, start=MARCH[0], end=MARCH[1])

    assert measures.compute(scope, ["syringes_collected"]) == {"syringes_collected": 9}


def test_other_months_and_programs_see_none_of_it(march_of_program_a, program_b):
    april = Scope(program=march_of_program_a, start=date(2026, 4, 1), end=date(2026, 4, 30))
    other = Scope(program=program_b, start=MARCH[0], end=MARCH[1])

    assert set(measures.compute(april, COMMUNITY_MEASURES).values()) == {0}
    assert set(measures.compute(other, COMMUNITY_MEASURES).values()) == {0}


def test_the_state_annual_report_carries_the_community_relations_measures():
    (state_annual,) = [d for d in READY_DEFINITIONS if d["ready_key"] == "state_annual"]

    assert set(COMMUNITY_MEASURES) <= set(state_annual["measures"])
