"""Programs that added the state annual report before it carried participant cards, the
community-relations log and educational materials get those measures too. A measure the program
already has is left where it is; a description the program wrote itself is kept."""

from django.db import migrations

ADDED_MEASURES = [
    "participants_referred",
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
OLD_DESCRIPTIONS = {
    "The year for the state health department: participants, new participants, demographics, "
    "syringes dispensed, collected and disposed, referrals by type, locations.",
    "El año para el departamento de salud del estado: personas participantes, personas "
    "participantes nuevas, datos demográficos, jeringas entregadas, recogidas y desechadas, "
    "derivaciones por tipo y lugares.",
}
NEW_DESCRIPTION = (
    "The year for the state health department: participants, new participants, demographics, "
    "syringes dispensed, collected and disposed, referrals by type, locations, educational "
    "materials, participant cards and community relations (complaints, syringe-stick injuries, "
    "found syringes, police interactions)."
)


def add_community_relations(apps, schema_editor):
    ReportDefinition = apps.get_model("reports", "ReportDefinition")
    for definition in ReportDefinition.objects.filter(ready_key="state_annual"):
        missing = [key for key in ADDED_MEASURES if key not in definition.measures]
        if not missing and definition.description not in OLD_DESCRIPTIONS:
            continue
        definition.measures = [*definition.measures, *missing]
        if definition.description in OLD_DESCRIPTIONS:
            definition.description = NEW_DESCRIPTION
        definition.save(update_fields=["measures", "description"])


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_releases")]

    operations = [migrations.RunPython(add_community_relations, migrations.RunPython.noop)]
