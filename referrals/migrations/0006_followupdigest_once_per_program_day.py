import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_collections_and_reversals"),
        ("referrals", "0005_followupdigest_program_of_the_worker"),
    ]

    operations = [
        migrations.AlterField(
            model_name="followupdigest",
            name="program",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.program",
            ),
        ),
        migrations.AddConstraint(
            model_name="followupdigest",
            constraint=models.UniqueConstraint(
                fields=("program", "user", "day"), name="followupdigest_once_per_program_day"
            ),
        ),
    ]
