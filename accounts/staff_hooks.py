"""What the apps above accounts do when a staff member is deactivated, without accounts
importing them.

An app registers a hook in its AppConfig.ready() (the API revokes the person's tokens:
api/apps.py); `deactivate_staff_member` calls every hook inside its transaction, so a hook
that fails undoes the deactivation, and each hook writes its own audit entries.
"""

from collections.abc import Callable

# hook(by=manager, user=deactivated person)
DeactivationHook = Callable[..., None]

_deactivation_hooks: list[DeactivationHook] = []


def register_deactivation_hook(hook: DeactivationHook) -> None:
    """Call `hook(by=, user=)` whenever a staff member is deactivated; registering twice is
    harmless."""
    if hook not in _deactivation_hooks:
        _deactivation_hooks.append(hook)


def run_deactivation_hooks(*, by, user) -> None:
    for hook in _deactivation_hooks:
        hook(by=by, user=user)
