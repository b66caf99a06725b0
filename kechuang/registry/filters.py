"""Filters for registry lists: one schema serves the API, the list pages and the exports."""

from __future__ import annotations

from typing import Annotated, Literal

from django.db.models import Q
from ninja import FilterLookup, FilterSchema

from kechuang.registry.models import Area, OrganizationKind, SizeClass

OrganizationOrdering = Literal[
    "name", "-name", "founded_on", "-founded_on", "created_at", "-created_at"
]


class OrganizationFilter(FilterSchema):
    q: Annotated[str | None, FilterLookup(["name__icontains", "uscc__icontains"])] = None
    area: str | None = None  # area code or name; includes the area's subtree
    kind: OrganizationKind | None = None
    industry: str | None = None  # industry code; includes sub-industries
    tech_field: Annotated[str | None, FilterLookup("tech_field__code")] = None
    size_class: SizeClass | None = None
    is_listed: bool | None = None
    is_above_designated_size: bool | None = None
    is_demo: bool | None = None

    def filter_area(self, value: str | None) -> Q:
        if not value:
            return Q()
        area = Area.objects.filter(Q(code=value) | Q(name=value)).only("path").first()
        return Q(area__path__startswith=area.path) if area else Q(pk__in=[])

    def filter_industry(self, value: str | None) -> Q:
        if not value:
            return Q()
        return Q(industry__code=value) | Q(industry__code__startswith=f"{value}.")
