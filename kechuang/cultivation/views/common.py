"""What every cultivation page for the bureau's staff shares."""

from __future__ import annotations

from typing import Any

from kechuang.cultivation import selectors
from kechuang.registry.models import Area


def areas_for(user: Any) -> list[Area]:
    """The areas the user works on, for the area pickers."""
    return list(selectors.visible_areas(user))
