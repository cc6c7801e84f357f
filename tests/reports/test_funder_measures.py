"""The measures funders ask for beyond the first set (issue 17), against the known program of
tests/reports/known_program.py plus what each test adds, with answers worked out by hand."""

from datetime import date
from decimal import Decimal

import pytest

from encounters.models import Encounter
from encounters.services import SupplyLine, record_encounter, undo_encounter
from participants.models import Characteristic
from participants.services import merge_participants
from referrals.services import make_referral
from reports import exports, measures
from reports.measures import Scope
from reports.models import ReportDefinition
from reports.ready_definitions import READY_DEFINITIONS
from reports.services import ReportError, add_ready_definitions, request_run, save_definition
from supplies.field_records import record_sharps_disposal
from supplies.models import Item
from supplies.services import StockError
from tests.factories import ParticipantFactory
from tests.participants.conftest import catalogue_a  # noqa: F401
from tests.reports.known_program import (
    MARCH,
    NALOXONE_KIT,
    SYRINGE,
    known_program_data,  # noqa: F401
    local,
)
from tests.training.conftest import record_session
from training.services import AttendeeRecord

pytestmark = pytest.mark.django_db


def scope(data, period=MARCH, **filters) -> Scope:
    return Scope(program=data.program, start=period[0], end=period[1], **filters)


def value(data, key, **filters):
    return measures.compute(scope(data, **filters), [key])[key]


def rows(data, key, **filters):
    return measures.breakdown(scope(data, **filters), key).rows


# --- Sharps disposal ---------------------------------------------------------------------------


def test_syringes_disposed_sum_the_estimates_of_the_period(data):
    assert value(data, "syringes_disposed") == 600  # Feb 20's 150 is outside March
    assert value(data, "syringes_disposed", location=data.van) == 0
    assert value(data, "syringes_disposed", period=(date(2025, 2, 1), date(2025, 3, 31))) == 750


def test_a_disposal_weight_is_estimated_with_the_programs_factor(data, manager_a):
    data.program.syringes_per_pound = 150
    data.program.save(update_fields=["syringes_per_pound"])
    disposal = record_sharps_disposal(
        by=manager_a,
        location=data.site,
        disposed_on=date(2025, 3, 20),
        containers=1,
        weight_pounds=Decimal("2.5"),
        manifest_number="M-200",
    )
    assert disposal.syringes_estimated == 375
    assert value(data, "syringes_disposed") == 975


def test_a_manifest_recorded_twice_is_refused(data, manager_a):
    with pytest.raises(StockError, match="recorded already"):
        record_sharps_disposal(
            by=manager_a,
            location=data.site,
            disposed_on=date(2025, 3, 20),
            containers=1,
            weight_pounds=Decimal("1"),
            manifest_number="m-100",
        )


def test_a_disposal_without_weight_or_count_is_refused(data, manager_a):
    with pytest.raises(StockError, match="weight"):
        record_sharps_disposal(
            by=manager_a,
            location=data.site,
            disposed_on=date(2025, 3, 20),
            containers=1,
            manifest_number="M-300",
        )


def test_a_disposal_at_another_programs_location_is_refused(data, outreach_b):
    with pytest.raises(StockError):
        record_sharps_disposal(
            by=outreach_b,
            location=data.site,
            disposed_on=date(2025, 3, 20),
            containers=1,
            weight_pounds=Decimal("1"),
            manifest_number="M-400",
        )


# --- Naloxone received -------------------------------------------------------------------------


def test_naloxone_received_counts_doses_of_deliveries_only(data):
    assert value(data, "naloxone_doses_received") == 320
    assert value(data, "naloxone_doses_received", location=data.site) == 20
    assert value(data, "naloxone_doses_received", kind=Encounter.Kind.FIXED_SITE) == 0


def test_naloxone_received_by_funding_source_and_supplier(data):
    assert rows(data, "naloxone_received_by_source") == [
        ("Federal grant, from Acme Pharma", [300]),
        ("No funding source, from supplier not recorded", [20]),
    ]


# --- People who received naloxone --------------------------------------------------------------


def test_people_who_received_naloxone_count_a_merged_person_once_and_anonymous_apart(
    data,
    manager_a,
    catalogue_a,  # noqa: F811
):
    keep, duplicate = (
        ParticipantFactory(program=data.program),
        ParticipantFactory(program=data.program),
    )
    kit = [SupplyLine(item=catalogue_a[NALOXONE_KIT], quantity=1)]

    def visit(who, day):
        encounter, _created = record_encounter(
            by=manager_a,
            participant=who,
            location=data.site,
            kind=Encounter.Kind.FIXED_SITE,
            occurred_at=local(3, day, 12),
            supplies=kit,
        )
        return encounter

    visit(keep, 6)
    visit(duplicate, 7)
    visit(None, 8)
    visit(None, 9)
    undone = visit(ParticipantFactory(program=data.program), 10)
    undo_encounter(by=manager_a, encounter=undone)
    merge_participants(by=manager_a, keep=keep, duplicate=duplicate)
    # P1 and P2 of the known program, and the merged pair once; the undone visit not at all.
    assert value(data, "people_received_naloxone") == 3
    assert value(data, "naloxone_anonymous_encounters") == 2


# --- Test strips by kind -----------------------------------------------------------------------


def test_the_catalogue_gives_test_strips_their_kind(data, catalogue_a):  # noqa: F811
    assert catalogue_a["Fentanyl test strip"].test_strip_kind == Item.TestStripKind.FENTANYL
    assert catalogue_a["Xylazine test strip"].test_strip_kind == Item.TestStripKind.XYLAZINE
    assert catalogue_a[SYRINGE].test_strip_kind == ""


def test_test_strips_by_kind(data, manager_a, catalogue_a):  # noqa: F811
    record_encounter(
        by=manager_a,
        participant=None,
        location=data.site,
        kind=Encounter.Kind.FIXED_SITE,
        occurred_at=local(3, 4, 12),
        supplies=[SupplyLine(item=catalogue_a["Xylazine test strip"], quantity=3)],
    )
    assert value(data, "fentanyl_test_strips_distributed") == 5
    assert value(data, "xylazine_test_strips_distributed") == 3
    assert value(data, "test_strips_distributed") == 8
    assert rows(data, "test_strips_by_kind") == [("Fentanyl", [5]), ("Xylazine", [3])]


# --- Routes of use -----------------------------------------------------------------------------


def test_routes_of_use_count_people_served_once_per_route(data):
    served = measures.participants_served(scope(data)).order_by("pk")
    first, second, third = served[0], served[1], served[2]
    q, route = Characteristic.Question.ROUTE, Characteristic.Route
    for participant, answers in (
        (first, [route.INJECTION, route.SMOKING]),
        (second, [route.SMOKING]),
        (third, [route.DECLINED]),
    ):
        for answer in answers:
            Characteristic.objects.create(participant=participant, question=q, value=answer)
    assert rows(data, "routes_of_use") == [
        ("Injecting", [1]),
        ("Smoking", [2]),
        ("Declined to answer", [1]),
        ("Not asked", [2]),  # five served, three answered
    ]


# --- People trained ----------------------------------------------------------------------------


def test_distinct_people_trained_beside_attendances(data, manager_a):
    someone = ParticipantFactory(program=data.program)
    officer = AttendeeRecord(name="Jane Doe", agency="Springfield PD")
    for day in (12, 26):
        record_session(
            manager_a,
            held_on=date(2025, 3, day),
            attendee_count=3,
            attendees=[
                officer,
                AttendeeRecord(participant=someone),
                AttendeeRecord(name=" jane doe ", agency="Other agency"),
            ],
        )
    # Known program: 32 attendances and no attendee records; these two sessions add 6
    # attendances of three people (the same name at another agency is someone else).
    assert value(data, "people_trained") == 38
    assert value(data, "distinct_people_trained") == 3


# --- Participants referred ---------------------------------------------------------------------


def test_participants_referred_beside_referrals_made(data, manager_a):
    p1 = measures.participants_served(scope(data)).order_by("pk").first()
    make_referral(by=manager_a, participant=p1, kind="food")
    whole_year = (date(2025, 1, 1), manager_a.program.today())
    assert value(data, "referrals_made", period=whole_year) == 5
    assert value(data, "participants_referred", period=whole_year) == 3


# --- Definitions -------------------------------------------------------------------------------


@pytest.mark.parametrize("ready", READY_DEFINITIONS, ids=lambda ready: ready["ready_key"])
def test_every_shipped_definition_names_only_known_measures(ready):
    assert measures.unknown_keys(ready["measures"], ready["breakdowns"]) == []


def test_the_ready_definitions_carry_the_new_measures():
    carried = set()
    for ready in READY_DEFINITIONS:
        carried |= {*ready["measures"], *ready["breakdowns"]}
    new = {
        "syringes_disposed", "naloxone_doses_received", "people_received_naloxone",
        "naloxone_anonymous_encounters", "fentanyl_test_strips_distributed",
        "xylazine_test_strips_distributed", "distinct_people_trained", "participants_referred",
        "routes_of_use", "test_strips_by_kind", "naloxone_received_by_source",
    }  # fmt: skip
    assert new <= carried


def test_ready_definitions_are_added_whole_and_run(data, manager_a):
    added = add_ready_definitions(program=data.program, by=manager_a)
    for definition, ready in zip(added, READY_DEFINITIONS, strict=True):
        assert definition.measures == ready["measures"]
        assert definition.breakdowns == ready["breakdowns"]
        content = exports.report_content(
            program=data.program,
            title=definition.name,
            measure_keys=definition.measures,
            breakdown_keys=definition.breakdowns,
            start=MARCH[0],
            end=MARCH[1],
        )
        assert [line.key for line in content.measures] == ready["measures"]
        assert exports.render_csv(content) and exports.render_xlsx(content)


def test_a_definition_naming_an_unknown_measure_is_refused_when_saved(manager_a):
    with pytest.raises(ReportError, match="no_such_measure"):
        save_definition(
            by=manager_a,
            name="Odd",
            measure_keys=["encounters", "no_such_measure"],
            breakdown_keys=[],
            published_to=[],
            schedule=ReportDefinition.Schedule.NONE,
            run_on_day=5,
        )


def test_a_stored_definition_naming_an_unknown_measure_is_refused_when_loaded(
    data, manager_a, client
):
    definition = ReportDefinition.objects.create(
        program=data.program,
        name="From an older version",
        measures=["encounters", "retired_measure"],
        breakdowns=["retired_table"],
    )
    assert definition.unknown_keys() == ["retired_measure", "retired_table"]
    with pytest.raises(ReportError, match="retired_measure, retired_table"):
        request_run(by=manager_a, definition=definition, start=MARCH[0], end=MARCH[1])
    with pytest.raises(exports.ReportContentError):
        exports.report_content(
            program=data.program,
            title=definition.name,
            measure_keys=definition.measures,
            breakdown_keys=definition.breakdowns,
            start=MARCH[0],
            end=MARCH[1],
        )


def test_the_system_check_names_an_unknown_key_in_a_ready_definition(monkeypatch):
    from reports import checks, ready_definitions

    broken = [{**READY_DEFINITIONS[0], "measures": ["encounters", "gone"]}]
    monkeypatch.setattr(ready_definitions, "READY_DEFINITIONS", broken)
    errors = checks.ready_definitions_are_known(None)
    assert [error.id for error in errors] == ["reports.E001"]
    assert "gone" in errors[0].msg


def test_the_age_band_definition_says_how_age_is_computed():
    assert "birth year" in str(measures.BREAKDOWNS["age_band"].definition)
