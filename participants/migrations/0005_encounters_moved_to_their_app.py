"""The encounter models leave the participants app's state; their tables and rows stay, owned by
the encounters app (encounters 0001)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('participants', '0004_merge_0002_participant_anonymised_0003_daily_totals'),
        ('referrals', '0003_encounter_in_its_own_app'),
        ('supplies', '0005_encounter_in_its_own_app'),
    ]

    operations = [
        # The tables stay where they are, with every row: only Django's idea of which app
        # owns the models changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='dailysupplytotals',
                    name='item',
                ),
                migrations.RemoveField(
                    model_name='dailysupplytotals',
                    name='location',
                ),
                migrations.RemoveField(
                    model_name='dailysupplytotals',
                    name='program',
                ),
                migrations.RemoveField(
                    model_name='encounter',
                    name='location',
                ),
                migrations.RemoveField(
                    model_name='encounter',
                    name='participant',
                ),
                migrations.RemoveField(
                    model_name='encounter',
                    name='program',
                ),
                migrations.RemoveField(
                    model_name='encounter',
                    name='staff',
                ),
                migrations.RemoveField(
                    model_name='encountersupply',
                    name='encounter',
                ),
                migrations.RemoveField(
                    model_name='encountersupply',
                    name='item',
                ),
                migrations.RemoveField(
                    model_name='participantfirstmonth',
                    name='participant',
                ),
                migrations.RemoveField(
                    model_name='participantfirstmonth',
                    name='program',
                ),
                migrations.RemoveField(
                    model_name='participantmonth',
                    name='location',
                ),
                migrations.RemoveField(
                    model_name='participantmonth',
                    name='participant',
                ),
                migrations.RemoveField(
                    model_name='participantmonth',
                    name='program',
                ),
                migrations.RemoveField(
                    model_name='participantyear',
                    name='location',
                ),
                migrations.RemoveField(
                    model_name='participantyear',
                    name='participant',
                ),
                migrations.RemoveField(
                    model_name='participantyear',
                    name='program',
                ),
                migrations.DeleteModel(
                    name='DailyEncounterTotals',
                ),
                migrations.DeleteModel(
                    name='DailySupplyTotals',
                ),
                migrations.DeleteModel(
                    name='Encounter',
                ),
                migrations.DeleteModel(
                    name='EncounterSupply',
                ),
                migrations.DeleteModel(
                    name='ParticipantFirstMonth',
                ),
                migrations.DeleteModel(
                    name='ParticipantMonth',
                ),
                migrations.DeleteModel(
                    name='ParticipantYear',
                ),
            ],
            database_operations=[],
        ),
    ]
