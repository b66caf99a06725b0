from typing import Any
from urllib.parse import urlsplit

from django import template
from django.utils.safestring import SafeString, mark_safe

from kechuang.core import pickers

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`{{ mapping|get_item:key }}`: a dict value by a variable key (None when absent)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


def http_link(url: Any) -> str:
    """`url` if it is an absolute http(s) address with a host, else "": `//host`, `javascript:`,
    `data:`, relative paths, and anything with spaces or control characters are not links."""
    text = str(url or "").strip()
    if not text or any(c.isspace() or ord(c) < 32 for c in text):
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return text


@register.filter(name="http_link")
def http_link_filter(url: Any) -> str:
    """`{% with link=obj.source_url|http_link %}{% if link %}<a href="{{ link }}" ...>`: the one
    way a URL that comes from data is rendered as a link; anything else shows as text."""
    return http_link(url)


@register.simple_tag(takes_context=True)
def picker(
    context: Any,
    kind: str,
    name: str,
    value: Any = "",
    element_id: str = "",
    small: bool = False,
    invalid: bool = False,
) -> SafeString:
    """`{% picker "area" "area" value element_id="f_area" small=True %}`: the searchable picker
    (core/pickers.py) showing the label of `value` for the signed-in user."""
    user = getattr(context.get("request"), "user", None)
    html = pickers.render(
        kind, name, value, user, element_id=element_id, small=small, invalid=invalid
    )
    return mark_safe(html)  # rendered by a template, autoescaped
