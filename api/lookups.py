"""What the serializers resolve ids against, loaded once per request rather than once per field.

A sync of 500 encounters names the same few locations and items again and again: each is read
from the database once, through the same selectors as the pages, so scoping stays in one place.
"""

from functools import cached_property

from accounts.models import Location, User
from accounts.selectors import assigned_locations
from participants.models import Participant
from participants.selectors import participants_for
from supplies.models import Item
from supplies.selectors import items_for


class Lookups:
    def __init__(self, user: User):
        self.user = user
        self._participants: dict[str, Participant | None] = {}

    @cached_property
    def assigned_locations(self) -> dict[int, Location]:
        """Locations the user may record encounters at (a manager: all active ones)."""
        return {location.pk: location for location in assigned_locations(self.user)}

    @cached_property
    def active_items(self) -> dict[int, Item]:
        """The program's active catalogue: a few dozen rows, read in one query."""
        return {item.pk: item for item in items_for(self.user).filter(is_active=True)}

    def participant(self, public_id: str) -> Participant | None:
        public_id = public_id.strip().upper()
        if public_id not in self._participants:
            self._participants[public_id] = (
                participants_for(self.user).filter(public_id=public_id).first()
            )
        return self._participants[public_id]

    def prefetch_participants(self, public_ids: set[str]) -> None:
        """Read every participant a batch names in one query."""
        wanted = {value.strip().upper() for value in public_ids} - set(self._participants)
        if not wanted:
            return
        found = {
            participant.public_id: participant
            for participant in participants_for(self.user).filter(public_id__in=wanted)
        }
        for public_id in wanted:
            self._participants[public_id] = found.get(public_id)


def lookups_from(context: dict) -> Lookups:
    """The request's Lookups, made on first use and kept in the serializer context."""
    if "lookups" not in context:
        context["lookups"] = Lookups(context["request"].user)
    return context["lookups"]
