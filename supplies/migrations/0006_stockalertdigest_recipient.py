"""A stock alert digest marker names the manager who got it, not only the program.

Added empty here, filled in 0006 and made required in 0007: PostgreSQL will not alter a table
in the same transaction as a data change whose foreign-key checks are still pending.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_collections_and_reversals"),
        ("supplies", "0005_encounter_in_its_own_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="stockalertdigest",
            name="stockalertdigest_unique_day",
        ),
        migrations.AddField(
            model_name="stockalertdigest",
            name="recipient",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
