from django.db.models import QuerySet

from accounts.models import Location, User
from core.translated_names import localized_name_order


def locations_for(user: User) -> QuerySet[Location]:
    """Locations the user may see: all of their program's for staff; none for others. By the
    name in the active language."""
    if not user.is_authenticated or not user.is_program_staff:
        return Location.objects.none()
    return Location.objects.filter(program_id=user.program_id).order_by(localized_name_order())


def assigned_locations(user: User) -> QuerySet[Location]:
    """Active locations the user works at; a manager works at all of the program's."""
    locations = locations_for(user).filter(is_active=True)
    if user.is_manager:
        return locations
    return locations.filter(staff=user)


def users_for(user: User) -> QuerySet[User]:
    """Users a manager may see: the staff of their own program."""
    if not user.is_authenticated or not user.is_manager:
        return User.objects.none()
    return (
        User.objects.filter(program_id=user.program_id)
        .prefetch_related("locations")
        .order_by("role", "username")
    )


def staff_managed_by(user: User) -> QuerySet[User]:
    """The outreach workers and managers a manager may change: their own program's, active or
    not; none for anyone else."""
    return users_for(user).filter(role__in=[User.Role.OUTREACH, User.Role.MANAGER])


def staff_of(user: User) -> QuerySet[User]:
    """Outreach workers and managers of the user's program, former ones included (they stay in
    the filters of what they recorded); none for funders and administrators."""
    if not user.is_authenticated or not user.is_program_staff:
        return User.objects.none()
    return User.objects.filter(
        program_id=user.program_id, role__in=[User.Role.OUTREACH, User.Role.MANAGER]
    ).order_by("first_name", "last_name", "username")


def active_staff_of(user: User) -> QuerySet[User]:
    """The people who work in the user's program now: who can give a training or hold a token."""
    return staff_of(user).filter(is_active=True)
