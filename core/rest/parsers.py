"""The API's JSON parser: a body nested deeper than any request of ours needs is a 400.

Python's json module and everything that walks a parsed body afterwards (serializers, the
error flattening) recurse once per level: about a thousand levels end in a RecursionError,
that is a 500. No endpoint takes more than a few levels (a sync item's new participant's
answers are the deepest, at five), so anything past MOST_JSON_DEPTH is refused while parsing.
"""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

MOST_JSON_DEPTH = 16
NON_FIELD = "non_field_errors"


def too_deep_at(data, most: int = MOST_JSON_DEPTH) -> str | None:
    """The top-level key (or NON_FIELD) under which `data` nests deeper than `most`, else None.

    Walks with its own stack, never recursion, so any depth that parsed can be measured.
    """
    stack = [(data, 0, None)]
    while stack:
        value, depth, top = stack.pop()
        if isinstance(value, dict):
            children = value.items()
        elif isinstance(value, list):
            children = enumerate(value)
        else:
            continue
        if depth >= most:
            return top or NON_FIELD
        for key, child in children:
            stack.append((child, depth + 1, top if top is not None else str(key)))
    return None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies nested more than MOST_JSON_DEPTH levels."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(self._message()) from None
        field = too_deep_at(data)
        if field is not None:
            raise ValidationError({field: [self._message()]})
        return data

    @staticmethod
    def _message() -> str:
        return _("The request is nested too deeply (at most %(most)d levels).") % {
            "most": MOST_JSON_DEPTH
        }
