"""What the log's dotted action names mean to a reader, in their language.

Each app registers the actions it writes, their detail keys and links to its objects from its
AppConfig.ready(), as it registers object names (audit/object_names.py); audit sits at the
bottom and imports none of them. An action nobody registered still reads as words.
"""

from collections.abc import Callable, Mapping

from django.urls import NoReverseMatch
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_action_labels: dict[str, Promise | str] = {}
_detail_labels: dict[str, Promise | str] = {}
_object_links: dict[str, Callable[[str, str], str | None]] = {}


def register_actions(labels: Mapping[str, Promise | str]) -> None:
    """{dotted action: what it means, lazily translated}."""
    _action_labels.update(labels)


def register_detail_labels(labels: Mapping[str, Promise | str]) -> None:
    """{key of an entry's details: its label}."""
    _detail_labels.update(labels)


def register_object_link(object_type: str, link: Callable[[str, str], str | None]) -> None:
    """link(row id, name) -> the page of that row, for entries about objects of this type."""
    _object_links[object_type] = link


def _words(code: str) -> str:
    return code.replace("_", " ").replace(".", " · ").strip().capitalize()


def action_label(action: str) -> str:
    """The registered label of the action, or its code turned into words."""
    label = _action_labels.get(action)
    return str(label) if label is not None else _words(action)


def action_choices() -> list[tuple[str, str]]:
    """(action, label) of every registered action, by label, for the filter."""
    return sorted(((code, str(label)) for code, label in _action_labels.items()), key=_second)


def _second(pair):
    return pair[1].lower()


def object_link(object_type: str, object_id: str, name: str = "") -> str | None:
    """The page of the entry's object, if its app registered one."""
    link = _object_links.get(object_type)
    if link is None or not object_id:
        return None
    try:
        return link(object_id, name)
    except (ValueError, NoReverseMatch):  # a row id the page does not take is shown unlinked
        return None


def _value(value) -> str:
    if value is None or value in ("", [], {}):
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list | tuple):
        return ", ".join(_value(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{detail_label(key)}: {_value(item)}" for key, item in value.items())
    return str(value)


def detail_label(key: str) -> str:
    label = _detail_labels.get(key)
    return str(label) if label is not None else _words(key)


def readable_details(details: dict) -> list[tuple[str, str]]:
    """(label, value) of each detail, in the reader's language where the key is registered."""
    if not isinstance(details, dict):
        return [("", str(details))]
    return [(detail_label(key), _value(value)) for key, value in details.items()]
