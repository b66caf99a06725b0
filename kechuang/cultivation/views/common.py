"""What every cultivation page for the bureau's staff shares."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from kechuang.core.roles import is_government
from kechuang.cultivation import selectors
from kechuang.registry.models import Area


def require_government(request: HttpRequest) -> None:
    """The workbench is for city and county staff only (403 for anyone else)."""
    if not is_government(request.user):
        raise PermissionDenied("企业培育工作台仅向市科技局和县区工作人员开放。")


def areas_for(user: Any) -> list[Area]:
    """The areas the user works on, for the area pickers."""
    return list(selectors.visible_areas(user))
