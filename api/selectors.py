"""Reads about API tokens, scoped to the requesting manager's program."""

from django.db.models import QuerySet

from accounts.models import User
from accounts.selectors import active_staff_of
from api.models import ApiToken


def tokens_for(user: User) -> QuerySet[ApiToken]:
    """Tokens of the users of a manager's program, newest first; none for anyone else."""
    if not user.is_authenticated or not user.is_manager:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user__program_id=user.program_id).select_related(
        "user", "created_by"
    )


def token_users_for(user: User) -> QuerySet[User]:
    """Whom a manager may make a token for: active staff of their own program."""
    if not user.is_authenticated or not user.is_manager:
        return User.objects.none()
    return active_staff_of(user)
