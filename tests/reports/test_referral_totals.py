"""The daily referral totals the PostgreSQL triggers keep (referrals migration 0008) give the
same referral counts as the referrals themselves, for every period, location and kind, after
every kind of edit: a referral made at an encounter or apart, a status change, an undone,
deleted, corrected or voided encounter, a merge, an encounter moved to another place, a new time
zone."""

from datetime import date

import pytest
from django.db import connection

from encounters.models import Encounter
from encounters.services import (
    correct_encounter,
    record_encounter,
    undo_encounter,
    void_encounter,
)
from participants.services import merge_participants
from referrals.models import DailyReferralTotals, Referral
from referrals.services import change_referral_status, make_referral
from reports import measures
from reports.measures import Scope
from tests.factories import ParticipantFactory
from tests.participants.conftest import catalogue_a  # noqa: F401
from tests.reports.known_program import FEBRUARY, MARCH, known_program_data, local  # noqa: F401

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers are PostgreSQL's"),
]

KEYS = ["referrals_made", "referrals_linked", "linkage_rate"]
PERIODS = [
    FEBRUARY,
    MARCH,
    (date(2025, 3, 5), date(2025, 3, 5)),
    (date(2024, 6, 1), date(2026, 1, 31)),
]


def counts(data) -> dict:
    """The referral counts of every period, for all locations, each location and each kind."""
    found = {}
    for start, end in PERIODS:
        found[start, end] = measures.compute(Scope(data.program, start, end), KEYS)
        for location in (data.site, data.van):
            scope = Scope(data.program, start, end, location=location)
            found[start, end, location.name] = measures.compute(scope, KEYS)
        for kind in Encounter.Kind.values:
            found[start, end, kind] = measures.compute(
                Scope(data.program, start, end, kind=kind), KEYS
            )
    return found


def by_hand(data) -> dict:
    """The same counts straight from the referrals and their encounters (none of a voided one)."""
    found = {}

    def count(start, end, **where) -> dict:
        referrals = Referral.objects.filter(
            program=data.program,
            made_at__gte=Scope(data.program, start, end).start_at,
            made_at__lt=Scope(data.program, start, end).end_at,
            encounter__voided_at__isnull=True,
            **where,
        )
        made = referrals.count()
        linked = referrals.filter(status__in=Referral.LINKED_STATUSES).count()
        return {
            "referrals_made": made,
            "referrals_linked": linked,
            "linkage_rate": round(linked / made, 3) if made else None,
        }

    for start, end in PERIODS:
        found[start, end] = count(start, end)
        for location in (data.site, data.van):
            found[start, end, location.name] = count(start, end, encounter__location=location)
        for kind in Encounter.Kind.values:
            found[start, end, kind] = count(start, end, encounter__kind=kind)
    return found


def assert_exact(data, settings):
    from_totals = counts(data)
    assert from_totals == by_hand(data)
    settings.REPORTS_SUMMARY_TABLES = False
    assert counts(data) == from_totals
    settings.REPORTS_SUMMARY_TABLES = True


def visit(data, by, who, when, *, at=None, kinds=("housing",)):
    encounter, _created = record_encounter(
        by=by,
        participant=who,
        location=at or data.site,
        kind=Encounter.Kind.FIXED_SITE,
        occurred_at=when,
        referral_kinds=list(kinds),
    )
    return encounter


def test_the_totals_hold_the_known_referrals(data, settings):
    assert DailyReferralTotals.objects.filter(program=data.program).exists()
    march = measures.compute(Scope(data.program, *MARCH), KEYS)
    assert march == {"referrals_made": 3, "referrals_linked": 1, "linkage_rate": 0.333}
    assert_exact(data, settings)


def test_referrals_made_at_an_encounter_and_apart_are_counted(data, manager_a, settings):
    newcomer = ParticipantFactory(program=data.program)
    visit(data, manager_a, newcomer, local(3, 12, 11), at=data.van, kinds=["housing", "food"])
    apart = make_referral(by=manager_a, participant=newcomer, kind="benefits")
    Referral.objects.filter(pk=apart.pk).update(made_at=local(3, 12, 15))
    assert (
        measures.compute(Scope(data.program, *MARCH, location=data.van), KEYS)["referrals_made"]
        >= 2
    )
    assert_exact(data, settings)


def test_a_status_change_moves_a_referral_to_linked_and_back(data, manager_a, settings):
    referral = Referral.objects.get(program=data.program, kind="substance_use_treatment")
    change_referral_status(by=manager_a, referral=referral, status=Referral.Status.LINKED)
    assert measures.compute(Scope(data.program, *MARCH), ["referrals_linked"]) == {
        "referrals_linked": 2
    }
    assert_exact(data, settings)
    Referral.objects.filter(pk=referral.pk).update(status=Referral.Status.LOST_TO_FOLLOW_UP)
    assert_exact(data, settings)


def test_an_undone_encounter_keeps_its_referrals_without_a_place(data, manager_a, settings):
    encounter = visit(data, manager_a, ParticipantFactory(program=data.program), local(3, 14, 9))
    undo_encounter(by=manager_a, encounter=encounter)
    assert_exact(data, settings)


def test_a_deleted_referral_and_a_deleted_encounter_are_taken_off(data, settings):
    Referral.objects.filter(program=data.program, kind="mental_health").delete()
    Encounter.objects.filter(referrals__isnull=False, program=data.program).first().delete()
    assert_exact(data, settings)


def test_a_merge_leaves_the_counts_exact(data, manager_a, settings):
    keep, duplicate = (ParticipantFactory(program=data.program) for _ in range(2))
    visit(data, manager_a, keep, local(3, 5, 12))
    visit(data, manager_a, duplicate, local(3, 6, 12), at=data.van)
    merge_participants(by=manager_a, keep=keep, duplicate=duplicate)
    assert_exact(data, settings)


def test_an_encounter_moved_to_another_place_and_kind_moves_its_referrals(data, settings):
    moved = Encounter.objects.filter(program=data.program, referrals__isnull=False).first()
    Encounter.objects.filter(pk=moved.pk).update(
        location=data.van, kind=Encounter.Kind.STREET_OUTREACH
    )
    assert_exact(data, settings)


def test_a_new_time_zone_recounts_the_days(data, settings):
    Referral.objects.filter(program=data.program, kind="food").update(made_at=local(2, 28, 23, 30))
    data.program.timezone = "Pacific/Auckland"
    data.program.save(update_fields=["timezone"])
    data.program.refresh_from_db()
    assert_exact(data, settings)
    assert measures.compute(Scope(data.program, *MARCH), ["referrals_made"]) == {
        "referrals_made": 4
    }


def test_a_voided_encounter_takes_its_referrals_out_of_the_totals(data, manager_a, settings):
    encounter = visit(data, manager_a, ParticipantFactory(program=data.program), local(3, 14, 9))
    made_before = measures.compute(Scope(data.program, *MARCH), ["referrals_made"])
    void_encounter(by=manager_a, encounter=encounter, reason="Logged for the wrong person")
    after = measures.compute(Scope(data.program, *MARCH), ["referrals_made"])
    assert after["referrals_made"] == made_before["referrals_made"] - 1
    assert_exact(data, settings)


def test_voiding_and_restoring_an_encounter_moves_its_linked_referrals(data, settings):
    # Voided in the database itself (the service refuses while a referral was followed up).
    linked = Referral.objects.filter(
        program=data.program, status__in=Referral.LINKED_STATUSES, encounter__isnull=False
    ).first()
    voided = Encounter.objects.filter(pk=linked.encounter_id)
    voided.update(voided_at=local(3, 20, 9), void_reason="Test")
    assert_exact(data, settings)
    voided.update(voided_at=None, void_reason="")
    assert_exact(data, settings)


def test_a_corrected_place_and_time_move_the_referrals_with_the_encounter(
    data, manager_a, settings
):
    encounter = visit(data, manager_a, ParticipantFactory(program=data.program), local(3, 14, 9))
    correct_encounter(
        by=manager_a,
        encounter=encounter,
        reason="It was the van, a day later",
        changes={"location": data.van, "occurred_at": local(3, 15, 10)},
    )
    assert encounter.referrals.get().made_at == local(3, 15, 10)
    assert_exact(data, settings)
