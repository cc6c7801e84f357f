from django.db.models import Prefetch, QuerySet

from accounts.models import User
from supplies.models import Item, Kit, KitItem


def items_for(user: User) -> QuerySet[Item]:
    """Items of the user's program catalogue; none for funders and administrators."""
    if not user.is_authenticated or not user.is_program_staff:
        return Item.objects.none()
    return Item.objects.filter(program_id=user.program_id)


def catalogue_for(user: User) -> list[Item]:
    """Active items in display order, for the encounter counters."""
    return list(items_for(user).filter(is_active=True).order_by("display_order", "name"))


def kits_for(user: User) -> QuerySet[Kit]:
    """Active kits of the user's program with their lines (two queries)."""
    if not user.is_authenticated or not user.is_program_staff:
        return Kit.objects.none()
    return Kit.objects.filter(program_id=user.program_id, is_active=True).prefetch_related(
        Prefetch("lines", queryset=KitItem.objects.select_related("item"))
    )


def usual_bundle_quantities(user: User) -> dict[int, int]:
    """Item id -> quantity of the program's usual bundle, preselected on the encounter screen."""
    bundle_id = user.program.usual_bundle_id if user.program_id else None
    if bundle_id is None:
        return {}
    return dict(
        KitItem.objects.filter(kit_id=bundle_id, item__is_active=True).values_list(
            "item_id", "quantity"
        )
    )
