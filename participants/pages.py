"""What the apps above participants add to a participant's page and to its deletion page (their
visits, their referrals, their card), and to the screen a participant was just enrolled on,
registered in those apps' AppConfig.ready(): participants never imports them."""

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


# Templates shown with a participant just enrolled (on the encounter screen), rendered with
# `participant`: e.g. the button that prints their card.
_enrolment_prompts: list[str] = []


def register_enrolment_prompt(template: str) -> None:
    if template not in _enrolment_prompts:
        _enrolment_prompts.append(template)


def enrolment_prompts() -> list[str]:
    return list(_enrolment_prompts)
