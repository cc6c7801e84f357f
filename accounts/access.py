"""Deny by default: each page names the roles that may open it."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts.models import User

Role = User.Role


def role_required(*roles: str) -> Callable:
    """Let signed-in users with one of `roles` through; others see the 403 page."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)
        return wrapped

    return decorator


program_staff_required = role_required(Role.OUTREACH, Role.MANAGER)
manager_required = role_required(Role.MANAGER)
report_reader_required = role_required(Role.MANAGER, Role.FUNDER)
