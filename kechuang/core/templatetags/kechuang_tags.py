from typing import Any
from urllib.parse import urlsplit

from django import template

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
