"""Reads for the registry; every queryset starts from `restrict(user, ...)`."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from kechuang.registry.filters import OrganizationFilter
from kechuang.registry.models import Area, IndustryChain, Organization, TechField


def organizations_for(
    user: Any, filters: OrganizationFilter | None = None, ordering: str = "name"
) -> QuerySet[Organization]:
    qs = Organization.objects.restrict(user, "view").select_related(
        "area", "industry", "tech_field"
    )
    if filters is not None:
        qs = filters.filter(qs)
    return qs.order_by(ordering, "pk")


def areas_for(user: Any) -> QuerySet[Area]:
    return Area.objects.restrict(user, "view").select_related("parent")


def industries_for(user: Any) -> QuerySet[IndustryChain]:
    return IndustryChain.objects.restrict(user, "view").select_related("parent")


def tech_fields_for(user: Any) -> QuerySet[TechField]:
    return TechField.objects.restrict(user, "view")


def registry_summary(user: Any) -> dict[str, Any]:
    """Counts for the home page, within the user's scope."""
    organizations = Organization.objects.restrict(user, "view")
    by_kind = dict(organizations.values_list("kind").annotate(n=Count("pk")).order_by())
    return {
        "organizations": sum(by_kind.values()),
        "by_kind": by_kind,
        "demo_organizations": organizations.filter(is_demo=True).count(),
        "areas": Area.objects.restrict(user, "view").count(),
        "industries": IndustryChain.objects.restrict(user, "view").count(),
        "tech_fields": TechField.objects.restrict(user, "view").count(),
    }
