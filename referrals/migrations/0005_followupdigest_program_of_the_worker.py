"""The follow-up digest markers written so far take their worker's program.

A marker of a worker with no program is of no use any more (no digest goes to them) and is
removed. Going back, a worker keeps one marker a day, as the old unique constraint wants.
"""

from django.db import migrations
from django.db.models import Min, OuterRef, Subquery


def take_the_workers_program(apps, schema_editor):
    FollowUpDigest = apps.get_model("referrals", "FollowUpDigest")
    User = apps.get_model("accounts", "User")
    FollowUpDigest.objects.update(
        program_id=Subquery(User.objects.filter(pk=OuterRef("user_id")).values("program_id"))
    )
    FollowUpDigest.objects.filter(program__isnull=True).delete()


def keep_one_marker_per_worker_and_day(apps, schema_editor):
    FollowUpDigest = apps.get_model("referrals", "FollowUpDigest")
    first = FollowUpDigest.objects.values("user_id", "day").annotate(first=Min("pk"))
    FollowUpDigest.objects.exclude(pk__in=[row["first"] for row in first]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_collections_and_reversals"),
        ("referrals", "0004_followupdigest_program"),
    ]

    operations = [
        migrations.RunPython(take_the_workers_program, keep_one_marker_per_worker_and_day),
    ]
