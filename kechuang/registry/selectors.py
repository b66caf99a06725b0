"""Reads for the registry; every queryset starts from `restrict(user, ...)`."""

import datetime as dt
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
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
    PlatformStatusChange,
    Qualification,
    QualificationKind,
    Talent,
    Team,
    TechField,
    Verification,
)
from kechuang.registry.models.platforms import new_between_q, operating_on, with_state_on


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


def platform_status_changes(platform: InnovationPlatform) -> QuerySet[PlatformStatusChange]:
    """A platform's history, oldest first (same day: in the order recorded)."""
    return platform.status_changes.select_related("merged_into").order_by("date", "pk")


def _platforms(user: Any, area: Area | str | None) -> QuerySet[InnovationPlatform]:
    """Platforms the user may view (`user` None: the command line and the monitoring's
    computations, every platform), in `area` and below when given (an Area or its code)."""
    queryset = (
        InnovationPlatform.objects.all()
        if user is None
        else InnovationPlatform.objects.restrict(user, "view")
    )
    if area is None:
        return queryset
    if isinstance(area, str):
        area = Area.objects.get(code=area)
    return queryset.filter(area__in=Area.subtree_ids(area.path))


def platforms_state_on(
    day: dt.date, *, area: Area | str | None = None, user: Any = None
) -> QuerySet[InnovationPlatform]:
    """Every platform annotated with `status_on` and `level_on`, its status and level on `day`
    (None before its approval). One query."""
    return with_state_on(_platforms(user, area), day)


def platforms_operating_on(
    day: dt.date, *, area: Area | str | None = None, user: Any = None
) -> QuerySet[InnovationPlatform]:
    """The platforms operating (运行中) on `day`, each with `level_on`, the level it had that
    day: e.g. `.values("level_on").annotate(n=Count("pk"))` counts them by level. One query."""
    return operating_on(_platforms(user, area), day)


def platforms_new_between(
    start: dt.date | None,
    end: dt.date | None,
    kinds: Iterable[str] | None = None,
    levels: Iterable[str] | None = None,
    area: Area | str | None = None,
    *,
    user: Any = None,
) -> QuerySet[InnovationPlatform]:
    """The platforms new between `start` and `end` (inclusive) of `kinds`, at `levels`: approved
    then, or upgraded then into one of `levels` from a level outside them (a municipal platform
    upgraded to provincial is a new 省级以上 platform; a provincial one upgraded to national is
    not). `platforms_new_url` gives the registry list showing the same set (one kind at most)."""
    queryset = _platforms(user, area).filter(new_between_q(start, end, list(levels or ())))
    return queryset.filter(kind__in=list(kinds)) if kinds else queryset


# `new_level` values of the platforms list for the level sets the plan uses
_NEW_LEVEL_PARAM = {
    ("national",): "national",
    ("national", "provincial"): "provincial_up",
    ("provincial",): "provincial",
    ("municipal",): "municipal",
}


def platforms_new_url(
    start: dt.date | None,
    end: dt.date | None,
    kind: str | None = None,
    levels: Iterable[str] | None = None,
    area: Area | str | None = None,
) -> str:
    """The registry's platforms list filtered to `platforms_new_between(start, end, [kind],
    levels, area)` (levels: one level, or national + provincial = 省级以上)."""
    level_key = tuple(sorted(levels or (), key=("national", "provincial", "municipal").index))
    if level_key and level_key not in _NEW_LEVEL_PARAM:
        raise ValueError(f"列表无法按级别组合 {level_key} 筛选")
    params = {
        "new_from": start.isoformat() if start else "",
        "new_to": end.isoformat() if end else "",
        "new_level": _NEW_LEVEL_PARAM.get(level_key, ""),
        "kind": kind or "",
        "area": area.code if isinstance(area, Area) else (area or ""),
    }
    query = urlencode({k: v for k, v in params.items() if v})
    return reverse("registry:platforms_list") + ("?" + query if query else "")


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
    return Area.objects.restrict(user, "view").exclude(kind="province").select_related("parent")


def named_actors_for(user: Any) -> QuerySet[NamedActor]:
    return NamedActor.objects.restrict(user, "view").select_related("area", "organization")


def working_areas(user: Any, root: Area | None = None) -> QuerySet[Area]:
    """The areas a user works on: a county user's own area and those below it; anyone else the
    tree below `root` (default: every area). `user` None is the command line (every area)."""
    areas = Area.local() if user is None else Area.local().restrict(user, "view")
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
