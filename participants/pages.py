"""What the apps above participants add to a participant's page and to its deletion page (their
visits, their referrals), registered in those apps' AppConfig.ready(): participants never imports
them."""

from collections.abc import Callable
from dataclasses import dataclass

from participants.models import Participant


@dataclass(frozen=True)
class ParticipantSection:
    order: int  # lower comes first on the page
    template: str  # rendered with `section` (the context below) and `participant`
    context: Callable[[Participant], dict]
    # A sentence on the deletion page: what of theirs stays, counted, without their name.
    kept_on_deletion: Callable[[Participant], str] | None = None


_sections: list[ParticipantSection] = []


def register_section(section: ParticipantSection) -> None:
    if section not in _sections:
        _sections.append(section)
        _sections.sort(key=lambda registered: registered.order)


def sections_for(participant: Participant) -> list[dict]:
    """Each section's template and context; a query or two per section."""
    return [
        {"template": section.template, "context": section.context(participant)}
        for section in _sections
    ]


def kept_on_deletion(participant: Participant) -> list[str]:
    return [
        section.kept_on_deletion(participant) for section in _sections if section.kept_on_deletion
    ]
