"""What "interface text that stayed English" means, for the page tests and the browser tests.

A text speaks English when it is one of the catalogues' English sentences (django.po for pages,
djangojs.po for scripts) that has a different Spanish translation: a label built before the
language was known, a string outside {% translate %} or gettext(), a catalogue out of date.
Sentences with placeholders ("%(count)s waiting to sync") match whatever fills them. Names of
data (an item a program named itself, a partner, a brand) are in no catalogue: never flagged.
"""

import re
from functools import cache
from html import unescape
from pathlib import Path

from django.conf import settings

CATALOGUES = [
    Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / name
    for name in ("django.po", "djangojs.po")
]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")
ENTRY = re.compile(
    r'^msgid "(.+)"\n(?:msgid_plural "(.+)"\n)?msgstr(?:\[0\])? "(.+)"$', flags=re.MULTILINE
)
TEXT = re.compile(r">([^<>]+)<")
# Attributes people read or hear: a field's placeholder, a screen reader's label, a tooltip.
SPOKEN_ATTRIBUTE = re.compile(r'\s(?:placeholder|aria-label|title|alt)="([^"]*)"')


def _entries(catalogue: str):
    joined = re.sub(r'"\n"', "", catalogue)  # wrapped lines into one
    for singular, plural, spanish in ENTRY.findall(joined):
        yield singular, spanish
        if plural:
            yield plural, spanish


def _pattern(english: str) -> re.Pattern:
    parts = PLACEHOLDER.split(english)
    # split() puts the placeholder names (or None) between the literal parts.
    literal = [re.escape(part) for index, part in enumerate(parts) if index % 2 == 0]
    return re.compile(r".+?".join(literal))


@cache
def english_sentences() -> tuple[set[str], list[re.Pattern]]:
    """(plain sentences, patterns of sentences with placeholders): English of two words or more
    whose Spanish differs."""
    plain: set[str] = set()
    patterns: list[re.Pattern] = []
    for catalogue in CATALOGUES:
        for english, spanish in _entries(catalogue.read_text(encoding="utf-8")):
            english = english.replace('\\"', '"').replace("\\n", " ")
            if english == spanish or " " not in english.strip():
                continue
            if PLACEHOLDER.search(english):
                # Placeholders with a word or two between them ("%(start)s to %(end)s", "%(count)s
                # kits") match any text: two words of three letters or more at least.
                if len(re.findall(r"[A-Za-z]{3,}", PLACEHOLDER.sub("", english))) >= 2:
                    patterns.append(_pattern(english))
            else:
                plain.add(" ".join(english.split()))
    return plain, patterns


def english_among(texts) -> list[str]:
    """The texts (each a line or a text node) that are English sentences of the catalogues."""
    plain, patterns = english_sentences()
    found = []
    for text in texts:
        text = " ".join(text.split())
        if not text:
            continue
        if text in plain or any(pattern.fullmatch(text) for pattern in patterns):
            found.append(text)
    return found


def html_texts(html: str) -> set[str]:
    """The text nodes and spoken attributes of a page, without its scripts and styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.DOTALL)
    found = TEXT.findall(html) + SPOKEN_ATTRIBUTE.findall(html)
    return {" ".join(unescape(match).split()) for match in found} - {""}
