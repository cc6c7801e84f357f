import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("supplies", "0007_stockalertdigest_one_per_manager"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="stockalertdigest",
            name="recipient",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="stockalertdigest",
            constraint=models.UniqueConstraint(
                fields=("program", "recipient", "day"),
                name="stockalertdigest_once_per_recipient_day",
            ),
        ),
    ]
