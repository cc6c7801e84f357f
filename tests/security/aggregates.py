"""Program totals a report would show, computed straight from the database.

The reports measures module lives elsewhere; these plain aggregates are enough to prove that
forgetting a participant changes no count.
"""

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from encounters.models import Encounter, EncounterSupply
from referrals.models import Referral


def program_totals(program) -> dict:
    encounters = Encounter.objects.filter(program=program)
    return {
        "encounters": encounters.count(),
        "anonymous_encounters": encounters.filter(participant__isnull=True).count(),
        "supplies_distributed": EncounterSupply.objects.filter(
            encounter__program=program
        ).aggregate(total=Sum("quantity"))["total"],
        "syringes_collected": encounters.aggregate(total=Sum("syringes_collected"))["total"],
        "unduplicated_participants": encounters.filter(participant__isnull=False)
        .values("participant")
        .distinct()
        .count(),
        "unduplicated_participants_by_month": sorted(
            encounters.filter(participant__isnull=False)
            .annotate(month=TruncMonth("occurred_at"))
            .values("month")
            .annotate(people=Count("participant", distinct=True))
            .values_list("month", "people")
        ),
        "referrals_by_status": sorted(
            Referral.objects.filter(program=program)
            .values("kind", "status")
            .annotate(count=Count("id"))
            .values_list("kind", "status", "count")
        ),
    }
