"""A stock alert digest marker written so far stood for every manager of the program (they
were all sent the digest together): it becomes one marker per active manager with an email
address, and a program's marker with no such manager any more is removed. Going back, a
program keeps one marker a day, as the old unique constraint wants.
"""

from django.db import migrations
from django.db.models import Min


def one_marker_per_manager(apps, schema_editor):
    StockAlertDigest = apps.get_model("supplies", "StockAlertDigest")
    User = apps.get_model("accounts", "User")
    for marker in StockAlertDigest.objects.filter(recipient__isnull=True):
        managers = User.objects.filter(
            program_id=marker.program_id, role="manager", is_active=True
        ).exclude(email="")
        created = StockAlertDigest.objects.bulk_create(
            StockAlertDigest(program_id=marker.program_id, recipient_id=manager.pk, day=marker.day)
            for manager in managers
        )
        # sent_at is auto_now_add, so the old marker's time is written after.
        StockAlertDigest.objects.filter(pk__in=[new.pk for new in created]).update(
            sent_at=marker.sent_at
        )
    StockAlertDigest.objects.filter(recipient__isnull=True).delete()


def keep_one_marker_per_program_and_day(apps, schema_editor):
    StockAlertDigest = apps.get_model("supplies", "StockAlertDigest")
    first = StockAlertDigest.objects.values("program_id", "day").annotate(first=Min("pk"))
    StockAlertDigest.objects.exclude(pk__in=[row["first"] for row in first]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_collections_and_reversals"),
        ("supplies", "0006_stockalertdigest_recipient"),
    ]

    operations = [
        migrations.RunPython(one_marker_per_manager, keep_one_marker_per_program_and_day),
    ]
