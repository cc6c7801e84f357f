"""A movement's encounter line now lives in the encounters app (the same table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('encounters', '0001_initial'),
        ('supplies', '0004_stockmovement_training_session'),
    ]

    operations = [
        # The tables stay where they are, with every row: only Django's idea of which app
        # owns the models changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='stockmovement',
                    name='encounter_supply',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='movements', to='encounters.encountersupply'),
                ),
            ],
            database_operations=[],
        ),
    ]
