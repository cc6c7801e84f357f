"""A referral's encounter now lives in the encounters app (the same table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('encounters', '0001_initial'),
        ('referrals', '0002_referral_open_due'),
    ]

    operations = [
        # The tables stay where they are, with every row: only Django's idea of which app
        # owns the models changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='referral',
                    name='encounter',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='referrals', to='encounters.encounter'),
                ),
            ],
            database_operations=[],
        ),
    ]
