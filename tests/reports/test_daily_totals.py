"""The daily totals the PostgreSQL triggers keep give the same numbers as the encounters, after
every kind of edit: recording, deleting, moving an encounter, changing its lines, merging
participants, changing the program's time zone."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce

from encounters.models import (
    DailyEncounterTotals,
    DailySupplyCategoryTotals,
    DailySupplyTotals,
    Encounter,
    EncounterSupply,
)
from reports import measures
from reports.measures import Scope
from supplies.models import Item
from tests.participants.conftest import catalogue_a  # noqa: F401
from tests.reports.known_program import FEBRUARY, MARCH, known_program_data  # noqa: F401

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers are PostgreSQL's"),
]

APRIL = (date(2025, 4, 1), date(2025, 4, 30))
SPRING = (FEBRUARY[0], APRIL[1])
# Periods that begin or end inside a month: whole months from the summaries, edges from the
# encounters.
ODD_PERIODS = [
    (date(2025, 2, 15), date(2025, 4, 10)),
    (date(2025, 3, 31), date(2025, 4, 1)),
    (date(2025, 3, 5), date(2025, 3, 20)),
    (date(2024, 12, 15), date(2026, 1, 10)),
]
# A whole calendar year: participant years.
YEAR = (date(2025, 1, 1), date(2025, 12, 31))
SUMMED = sorted(measures.GROUPABLE)
BREAKDOWNS = ["encounters_by_site", "encounters_by_kind", "supplies_by_category"]


def everything(data) -> dict:
    """Every number the totals feed, for each month, each location and the three months."""
    found = {}
    for period in (FEBRUARY, MARCH, APRIL, SPRING, YEAR, *ODD_PERIODS):
        scope = Scope(program=data.program, start=period[0], end=period[1])
        found[period, "all"] = measures.compute(scope)
        for location in (data.site, data.van):
            found[period, location.name] = measures.compute(
                Scope(program=data.program, start=period[0], end=period[1], location=location)
            )
        for key in BREAKDOWNS:
            found[period, key] = measures.breakdown(scope, key).rows
    spring = Scope(program=data.program, start=SPRING[0], end=SPRING[1])
    found["weeks"] = measures.trend(spring, SUMMED, "week")
    for period in ODD_PERIODS:
        odd = Scope(program=data.program, start=period[0], end=period[1])
        found[period, "months"] = measures.trend(odd, SUMMED, "month")
        found[period, "sites"] = [
            (site.pk, numbers) for site, numbers in measures.by_location(odd, SUMMED)
        ]
    found["sites"] = [(site.pk, numbers) for site, numbers in measures.by_location(spring, SUMMED)]
    return found


def assert_totals_match_encounters(data, settings):
    with_totals = everything(data)
    settings.REPORTS_SUMMARY_TABLES = False
    from_encounters = everything(data)
    settings.REPORTS_SUMMARY_TABLES = True
    assert with_totals == from_encounters


def test_totals_give_the_numbers_of_the_encounters(data, settings):
    assert measures.summaries_on()
    assert DailyEncounterTotals.objects.filter(program=data.program).exists()
    assert_totals_match_encounters(data, settings)


def test_totals_follow_a_deleted_encounter(data, settings):
    encounter = Encounter.objects.filter(program=data.program, location=data.van).first()
    encounter.delete()  # its supply lines go first, then the encounter

    assert_totals_match_encounters(data, settings)


def test_totals_follow_an_encounter_moved_to_another_day_place_and_kind(data, settings):
    moved = Encounter.objects.get(
        program=data.program, occurred_at__date=date(2025, 3, 20)
    )  # two kits and a vial at the van, for others
    Encounter.objects.filter(pk=moved.pk).update(
        occurred_at=moved.occurred_at - timedelta(days=30),
        location=data.site,
        kind=Encounter.Kind.FIXED_SITE,
    )
    assert_totals_match_encounters(data, settings)

    Encounter.objects.filter(pk=moved.pk).update(secondary_distribution_for=0)
    march = Scope(program=data.program, start=MARCH[0], end=MARCH[1])
    assert measures.compute(march, ["naloxone_doses_for_others"]) == {
        "naloxone_doses_for_others": 0
    }
    assert_totals_match_encounters(data, settings)


def test_totals_follow_changed_and_removed_supply_lines(data, settings):
    lines = EncounterSupply.objects.filter(encounter__program=data.program)
    lines.filter(item__category="syringes").update(quantity=7)
    lines.filter(item__category="naloxone").first().delete()

    assert_totals_match_encounters(data, settings)


def test_totals_follow_a_change_of_time_zone(data, settings):
    data.program.timezone = "Pacific/Auckland"
    data.program.save(update_fields=["timezone"])

    assert_totals_match_encounters(data, settings)
    april = Scope(program=data.program, start=APRIL[0], end=APRIL[1])
    assert measures.compute(april, ["encounters"]) == {"encounters": 2}  # 23:30 in New York


def test_totals_by_category_follow_an_item_that_changes_category_kind_or_doses(data, settings):
    kit = Item.objects.filter(program=data.program, category=Item.Category.NALOXONE).first()
    Item.objects.filter(pk=kit.pk).update(doses_per_unit=3)
    assert_totals_match_encounters(data, settings)

    strip = Item.objects.filter(program=data.program, category=Item.Category.DRUG_CHECKING).first()
    Item.objects.filter(pk=strip.pk).update(test_strip_kind=Item.TestStripKind.XYLAZINE)
    assert_totals_match_encounters(data, settings)

    Item.objects.filter(pk=kit.pk).update(category=Item.Category.SYRINGES)
    assert_totals_match_encounters(data, settings)


def test_totals_by_category_are_the_item_totals_summed(data):
    by_category = DailySupplyCategoryTotals.objects.filter(program=data.program).aggregate(
        syringes=Sum("syringes"), doses=Sum("naloxone_doses")
    )
    by_item = DailySupplyTotals.objects.filter(program=data.program).aggregate(
        syringes=Sum("quantity", filter=Q(item__category=Item.Category.SYRINGES)),
        doses=Sum(
            Coalesce("item__doses_per_unit", 1) * F("quantity"),
            filter=Q(item__category=Item.Category.NALOXONE),
        ),
    )
    assert by_category == by_item
    assert by_item["syringes"] > 0
