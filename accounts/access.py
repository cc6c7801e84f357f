"""Deny by default: each page names the roles that may open it."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import User

Role = User.Role


def role_required(*roles: str, not_found_for: tuple[str, ...] = ()) -> Callable:
    """Let signed-in users with one of `roles` through; others see the 403 page, or the 404
    page for the roles in `not_found_for` (who must not learn that such pages exist)."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.role not in roles:
                if request.user.role in not_found_for:
                    raise Http404
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)
        return wrapped

    return decorator


program_staff_required = role_required(Role.OUTREACH, Role.MANAGER)
manager_required = role_required(Role.MANAGER)
report_reader_required = role_required(Role.MANAGER, Role.FUNDER)
# Participant pages and lists: a funder gets "not found", never a hint that they exist.
participant_staff_required = role_required(
    Role.OUTREACH, Role.MANAGER, not_found_for=(Role.FUNDER,)
)
participant_manager_required = role_required(Role.MANAGER, not_found_for=(Role.FUNDER,))
