from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from kechuang.core import pickers

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`{{ mapping|get_item:key }}`: a dict value by a variable key (None when absent)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


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
