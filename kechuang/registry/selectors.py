"""Reads for the registry; every queryset starts from `restrict(user, ...)`."""

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from kechuang.core.references import resolve, resolve_many
from kechuang.registry.engine.uscc import normalize_uscc
from kechuang.registry.models import (
    AnnualReport,
    Area,
    FigureSubmission,
    IndustryChain,
    InnovationPlatform,
    NamedActor,
    Organization,
    Patent,
    Qualification,
    QualificationKind,
    Talent,
    Team,
    TechField,
    Verification,
)


def organizations_for(user: Any) -> QuerySet[Organization]:
    return Organization.objects.restrict(user, "view").select_related(
        "area", "industry__parent", "tech_field"
    )


def qualifications_for(user: Any) -> QuerySet[Qualification]:
    return Qualification.objects.restrict(user, "view").select_related(
        "organization__area", "verified_by"
    )


def pending_claims_for(user: Any) -> QuerySet[Qualification]:
    """Claims awaiting verification (待核验), oldest first: the city staff's queue."""
    return (
        qualifications_for(user)
        .filter(verification=Verification.CLAIMED)
        .order_by("created_at", "pk")
    )


def valid_qualification_holders(user: Any, kind: str, day: dt.date) -> int:
    """Organizations (within the user's scope) holding a `kind` qualification that counts on
    `day`: verified and in force (`Qualification.valid_on`)."""
    return (
        Qualification.objects.restrict(user, "view")
        .filter(Qualification.valid_on(day), kind=kind)
        .values("organization")
        .distinct()
        .count()
    )


def annual_reports_for(user: Any) -> QuerySet[AnnualReport]:
    return AnnualReport.objects.restrict(user, "view").select_related("organization__area")


def submissions_for(user: Any) -> QuerySet[FigureSubmission]:
    return (
        FigureSubmission.objects.restrict(user, "view")
        .select_related("organization__area", "submitted_by", "report")
        # the organizations' confirmed figures, for each submission's diff in one query
        .prefetch_related("reviews__reviewer", "organization__annual_reports")
    )


def platforms_for(user: Any) -> QuerySet[InnovationPlatform]:
    return (
        InnovationPlatform.objects.restrict(user, "view")
        .select_related("host", "area", "industry", "tech_field")
        .prefetch_related("co_builders")
    )


def talents_for(user: Any) -> QuerySet[Talent]:
    return (
        Talent.objects.restrict(user, "view")
        .select_related("organization__area")
        .prefetch_related("tech_fields")
    )


def teams_for(user: Any) -> QuerySet[Team]:
    return (
        Team.objects.restrict(user, "view")
        .select_related("organization__area", "leader__organization")
        .prefetch_related(Prefetch("members", Talent.objects.select_related("organization")))
    )


def patents_for(user: Any) -> QuerySet[Patent]:
    return Patent.objects.restrict(user, "view").select_related("organization__area")


def areas_for(user: Any) -> QuerySet[Area]:
    return Area.objects.restrict(user, "view").select_related("parent")


def named_actors_for(user: Any) -> QuerySet[NamedActor]:
    return NamedActor.objects.restrict(user, "view").select_related("area", "organization")


def working_areas(user: Any, root: Area | None = None) -> QuerySet[Area]:
    """The areas a user works on: a county user's own area and those below it; anyone else the
    tree below `root` (default: every area). `user` None is the command line (every area)."""
    areas = Area.objects.all() if user is None else Area.objects.restrict(user, "view")
    own = user.area if getattr(user, "area_id", None) else None
    base = own or root
    return areas.filter(path__startswith=base.path) if base is not None else areas


def industries_for(user: Any) -> QuerySet[IndustryChain]:
    return IndustryChain.objects.restrict(user, "view").select_related("parent")


def tech_fields_for(user: Any) -> QuerySet[TechField]:
    return TechField.objects.restrict(user, "view")


def registry_summary(user: Any) -> dict[str, Any]:
    """Counts for the home page, within the user's scope."""
    counts = Organization.objects.restrict(user, "view").aggregate(
        organizations=Count("pk"), demo_organizations=Count("pk", filter=Q(is_demo=True))
    )
    today = timezone.localdate()
    return {
        **counts,
        "hnte": valid_qualification_holders(user, QualificationKind.HNTE, today),
        "pending_claims": pending_claims_for(user).count(),
        "areas": Area.objects.restrict(user, "view").count(),
        "industries": IndustryChain.objects.restrict(user, "view").count(),
        "tech_fields": TechField.objects.restrict(user, "view").count(),
    }


# --- references in payloads, forms and import rows --------------------------------------------
# Each resolves within what the user may view (core/references.py): invisible = missing.


def area_by_reference(user: Any, value: str | None, field: str = "area") -> Area | None:
    return resolve(areas_for(user), value, Q(code=value) | Q(name=value), field, "区域")


def industry_by_reference(user: Any, value: str | None, field: str = "industry") -> Any:
    return resolve(industries_for(user), value, Q(code=value) | Q(name=value), field, "产业")


def tech_field_by_reference(user: Any, value: str | None, field: str = "tech_field") -> Any:
    lookup = Q(code=value) | Q(name=value)
    return resolve(tech_fields_for(user), value, lookup, field, "高新技术领域")


def tech_fields_by_reference(user: Any, values: list[str], field: str) -> list[Any]:
    return [tech_field_by_reference(user, v, field) for v in dict.fromkeys(values) if v]


def organization_by_uscc(
    user: Any, value: str | None, field: str = "organization"
) -> Organization | None:
    code = normalize_uscc(str(value or ""))
    label = "单位（统一社会信用代码）"
    return resolve(Organization.objects.restrict(user, "view"), code, Q(uscc=code), field, label)


def organizations_by_uscc(
    user: Any, values: list[str], field: str, keep: Any = None
) -> list[Organization]:
    """Organizations by credit code within what the user may view, plus `keep` (those already
    linked to the row being changed)."""
    codes = [normalize_uscc(str(v)) for v in values if v]
    label = "单位（统一社会信用代码）"
    visible = Organization.objects.restrict(user, "view")
    return resolve_many(visible, codes, "uscc", field, label, keep)


def talents_by_id(user: Any, ids: list[int], field: str) -> list[Talent]:
    return resolve_many(Talent.objects.restrict(user, "view"), ids, "pk", field, "人才编号")
