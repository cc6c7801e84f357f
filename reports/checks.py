"""System checks: every shipped ready-made report definition names only measures and
breakdowns that exist, so "Add the ready-made reports" never adds one that cannot run."""

from django.core import checks


@checks.register()
def ready_definitions_are_known(app_configs, **kwargs) -> list[checks.CheckMessage]:
    from reports.measures.registry import unknown_keys
    from reports.ready_definitions import READY_DEFINITIONS

    return [
        checks.Error(
            f"Ready definition {ready['ready_key']!r} names unknown measures or breakdowns: "
            f"{', '.join(unknown)}.",
            id="reports.E001",
        )
        for ready in READY_DEFINITIONS
        if (unknown := unknown_keys(ready["measures"], ready["breakdowns"]))
    ]
