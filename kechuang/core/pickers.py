"""Searchable pickers: one widget for every reference field (the area tree, the industries, the
high-tech fields, organizations), in forms and in filter bars, on every page.

The widget is a text input showing the row's label (卧龙区, never 411303), enhanced by
`core/static/core/picker.js`: typing asks the app's search endpoint (scoped to the user) and a
pick submits the row's code in a hidden input. Without the script the label itself is
submitted, which forms and filters accept as well.

`core` does not know the apps: an app registers its kinds (`register`) from `AppConfig.ready`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import models
from django.template.loader import render_to_string


@dataclass(frozen=True)
class PickerKind:
    kind: str  # "area", "industry", "tech_field", "organization"
    model: str  # the model it picks, as "app_label.ModelName"
    url: str  # the search endpoint (GET ?q=…) answering [{value, label, hint}]
    placeholder: str
    label_of: Callable[[Any, str], str]  # (user, stored value) -> the label shown, "" if none


_KINDS: dict[str, PickerKind] = {}


def register(kind: PickerKind) -> None:
    _KINDS[kind.kind] = kind


def get(kind: str) -> PickerKind | None:
    return _KINDS.get(kind)


def for_model(model: type[models.Model] | None) -> PickerKind | None:
    """The picker of a related model (a foreign key's target), if it has one."""
    if model is None:
        return None
    label = model._meta.label
    return next((k for k in _KINDS.values() if k.model == label), None)


def context(
    kind: str,
    name: str,
    value: Any,
    user: Any = None,
    *,
    element_id: str = "",
    invalid: bool = False,
    small: bool = False,
) -> dict[str, Any]:
    """What `core/widgets/picker.html` needs to draw one picker."""
    picker = _KINDS[kind]
    raw = "" if value is None else str(value)
    label = (picker.label_of(user, raw) if raw else "") or raw
    return {
        "kind": kind,
        "name": name,
        "id": element_id or f"id_{name}",
        "value": raw,
        "label": label,
        "url": picker.url,
        "placeholder": picker.placeholder,
        "invalid": invalid,
        "small": small,
    }


def render(kind: str, name: str, value: Any, user: Any = None, **options: Any) -> str:
    return render_to_string("core/widgets/picker.html", context(kind, name, value, user, **options))


class PickerWidget(forms.TextInput):
    """The picker as a Django form widget (for Django forms with a reference field)."""

    def __init__(self, kind: str, user: Any = None, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.kind = kind
        self.user = user

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> str:
        element_id = (attrs or {}).get("id") or f"id_{name}"
        return render(self.kind, name, value, self.user, element_id=element_id)
