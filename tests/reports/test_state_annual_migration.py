"""A program that added the state annual report before it carried cards and the community-
relations log gets those measures when it upgrades; what the program changed itself stays."""

import importlib

import pytest
from django.utils import translation

from reports.models import ReportDefinition
from reports.ready_definitions import READY_DEFINITIONS
from tests.encounters.test_layout_migration import latest, migrate

pytestmark = pytest.mark.django_db(transaction=True)

MIGRATION = importlib.import_module(
    "reports.migrations.0004_state_annual_carries_community_relations"
)
STATE_ANNUAL = next(ready for ready in READY_DEFINITIONS if ready["ready_key"] == "state_annual")
# The state annual report as programs added it before this wave.
OLD_MEASURES = [
    "unduplicated_participants",
    "new_participants",
    "encounters",
    "syringes_distributed",
    "syringes_collected",
    "syringes_disposed",
    "collection_ratio",
    "referrals_made",
    "referrals_linked",
    "locations_active",
]


def test_an_old_state_annual_report_gains_the_community_relations_measures(program_a, program_b):
    old = migrate([("reports", "0003_releases")])
    Definition = old.get_model("reports", "ReportDefinition")
    common = {"ready_key": "state_annual", "schedule": "yearly", "run_on_day": 15}
    as_added = Definition.objects.create(
        program_id=program_a.pk,
        name="State annual report",
        description=sorted(MIGRATION.OLD_DESCRIPTIONS)[-1],
        measures=list(OLD_MEASURES),
        breakdowns=["age_band"],
        **common,
    )
    rewritten = Definition.objects.create(
        program_id=program_b.pk,
        name="Annual report to the state",
        description="Our own words.",
        measures=["encounters", "cards_issued"],
        breakdowns=[],
        **common,
    )

    migrate(latest())

    as_added = ReportDefinition.objects.get(pk=as_added.pk)
    rewritten = ReportDefinition.objects.get(pk=rewritten.pk)
    assert as_added.measures[: len(OLD_MEASURES)] == OLD_MEASURES
    assert sorted(as_added.measures) == sorted(STATE_ANNUAL["measures"])
    with translation.override("es"):
        assert as_added.shown_description == str(STATE_ANNUAL["description"])
    assert rewritten.description == "Our own words."
    assert rewritten.measures.count("cards_issued") == 1
    assert "police_interactions" in rewritten.measures


def test_the_migration_writes_the_ready_description_of_today():
    with translation.override("en"):
        assert str(STATE_ANNUAL["description"]) == MIGRATION.NEW_DESCRIPTION
