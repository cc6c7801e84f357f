"""The ready-made report definitions a manager adds with one click
(services.add_ready_definitions): a monthly program report, a quarterly SAMHSA-style report and
a state annual report."""

from django.utils.translation import gettext_lazy as _

from reports.models import ReportDefinition

READY_DEFINITIONS = [
    {
        "ready_key": "monthly_program",
        "name": _("Monthly program report"),
        "description": _("The month at a glance: people served, supplies, referrals, trainings."),
        "schedule": ReportDefinition.Schedule.MONTHLY,
        "run_on_day": 5,
        "measures": [
            "unduplicated_participants",
            "new_participants",
            "encounters",
            "anonymous_encounters",
            "syringes_distributed",
            "syringes_collected",
            "collection_ratio",
            "syringes_disposed",
            "naloxone_doses",
            "people_received_naloxone",
            "naloxone_anonymous_encounters",
            "reversals_reported",
            "test_strips_distributed",
            "fentanyl_test_strips_distributed",
            "xylazine_test_strips_distributed",
            "referrals_made",
            "participants_referred",
            "referrals_linked",
            "linkage_rate",
            "trainings",
            "people_trained",
            "distinct_people_trained",
            "locations_active",
        ],
        "breakdowns": [
            "encounters_by_site",
            "encounters_by_kind",
            "supplies_by_category",
            "test_strips_by_kind",
            "referrals_by_kind_status",
        ],
    },
    {
        "ready_key": "quarterly_samhsa",
        "name": _("Quarterly SAMHSA-style report"),
        "description": _(
            "Overdose prevention for the quarter: reversals, naloxone purchased and "
            "distributed, people trained, drug-checking supplies."
        ),
        "schedule": ReportDefinition.Schedule.QUARTERLY,
        "run_on_day": 15,
        "measures": [
            "reversals_reported",
            "naloxone_doses_received",
            "naloxone_doses",
            "naloxone_doses_participants",
            "naloxone_doses_for_others",
            "naloxone_doses_trainings",
            "people_received_naloxone",
            "naloxone_anonymous_encounters",
            "naloxone_refills",
            "trainings",
            "people_trained",
            "distinct_people_trained",
            "law_enforcement_trained",
            "test_strips_distributed",
            "fentanyl_test_strips_distributed",
            "xylazine_test_strips_distributed",
        ],
        "breakdowns": [
            "naloxone_received_by_source",
            "naloxone_doses_by_recipient",
            "refill_reasons",
            "supplies_by_funding_source",
            "test_strips_by_kind",
            "trainings_by_audience",
        ],
    },
    {
        "ready_key": "state_annual",
        "name": _("State annual report"),
        "description": _(
            "The year for the state health department: participants, new participants, "
            "demographics, syringes dispensed, collected and disposed, referrals by type, "
            "locations, educational materials, participant cards and community relations "
            "(complaints, syringe-stick injuries, found syringes, police interactions)."
        ),
        "schedule": ReportDefinition.Schedule.YEARLY,
        "run_on_day": 15,
        "measures": [
            "unduplicated_participants",
            "new_participants",
            "encounters",
            "syringes_distributed",
            "syringes_collected",
            "syringes_disposed",
            "collection_ratio",
            "referrals_made",
            "participants_referred",
            "referrals_linked",
            "locations_active",
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
        ],
        "breakdowns": [
            "age_band",
            "gender",
            "race_ethnicity",
            "zip3",
            "routes_of_use",
            "syringes_collected_by_source",
            "referrals_by_kind_status",
            "encounters_by_site",
        ],
    },
]
