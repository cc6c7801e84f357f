"""A participant's card id in a page: never split at its hyphen ("HR-" / "GWFER"), which is
easy to copy wrongly. Usable inside {% blocktranslate with id=participant.public_id|card_id %}."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def card_id(public_id: str) -> str:
    return format_html('<span class="public-id">{}</span>', public_id)
