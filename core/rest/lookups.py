"""What the serializers resolve ids against, loaded once per request rather than once per field.

A sync of 500 encounters names the same few locations, items and participants again and again:
each is read from the database once, through the same selectors as the pages, so scoping stays in
one place. Each app's subclass adds the rows it resolves (participants, then locations and items
for encounters); the request keeps one instance in the serializer context.
"""

from typing import Self

CONTEXT_KEY = "lookups"


class Lookups:
    def __init__(self, user):
        self.user = user

    @classmethod
    def of(cls, context: dict) -> Self:
        """The request's lookups, made on first use and kept in the serializer context.

        One made by a subclass serves too (it resolves everything this class does).
        """
        lookups = context.get(CONTEXT_KEY)
        if not isinstance(lookups, cls):
            lookups = context[CONTEXT_KEY] = cls(context["request"].user)
        return lookups
