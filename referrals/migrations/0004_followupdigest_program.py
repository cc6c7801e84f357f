"""A follow-up digest marker names the program whose date it was for.

Added empty here, filled in 0004 and made required in 0005: PostgreSQL will not alter a table
in the same transaction as a data change whose foreign-key checks are still pending.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_collections_and_reversals"),
        ("referrals", "0003_encounter_in_its_own_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="followupdigest",
            name="followupdigest_unique_day",
        ),
        migrations.AddField(
            model_name="followupdigest",
            name="program",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.program",
            ),
        ),
    ]
