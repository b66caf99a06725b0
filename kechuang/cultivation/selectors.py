"""Reads of the cultivation module: the reserve pool, the funnel, movements and the inputs of the
plan projection. Everything starts from `restrict(user)`, so a county user sees their area only."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kechuang.cultivation.engine import tiers
from kechuang.cultivation.engine.projection import (
    TIER_ORDER,
    ConversionYear,
    ProjectionInput,
    RetentionYear,
    historical_rate,
    historical_retention,
)
from kechuang.cultivation.models import (
    PoolEntry,
    ReserveTier,
    RunStatus,
    ScreeningRun,
    Stage,
    TierMovement,
    TierRuleSet,
)
from kechuang.registry.models import Area, IndustryChain, Organization, Qualification
from kechuang.registry.selectors import working_areas

CLOSEST_FIRST = ["tier_rank", "hnte_failed", "-hnte_total_max", "organization__name"]


def visible_areas(user: Any) -> QuerySet[Area]:
    """The areas a user works on (registry's `working_areas`), in tree order."""
    return working_areas(user).order_by("path")


def sees_area(user: Any, area: Area) -> bool:
    return visible_areas(user).filter(pk=area.pk).exists()


def pool_for(user: Any) -> QuerySet[PoolEntry]:
    return PoolEntry.objects.restrict(user).select_related(
        "organization", "organization__area", "organization__industry"
    )


def runs_for(user: Any) -> QuerySet[ScreeningRun]:
    """City users see every run; county users the runs of their area (and below) and the
    city-wide runs, which screened their enterprises too (the summaries are aggregates)."""
    runs = ScreeningRun.objects.restrict(user)
    if getattr(user, "area_id", None):  # county staff
        runs = runs | ScreeningRun.objects.filter(area__isnull=True)
    return runs.select_related("area", "requested_by")


def movements_for(user: Any) -> QuerySet[TierMovement]:
    return TierMovement.objects.restrict(user).select_related(
        "organization", "organization__area", "run"
    )


MATRIX_STAGES = ["", "seed", "startup", "growing", "mature", "hnte"]


def movement_matrix(user: Any, run: ScreeningRun) -> dict[str, Any]:
    """How many enterprises in scope moved from each stage to each other in one run (rows: from,
    columns: to; '' is outside the pool)."""
    counts = dict(
        (
            ((f, t), n)
            for f, t, n in movements_for(user)
            .filter(run=run)
            .values_list("from_tier", "to_tier")
            .annotate(n=Count("pk"))
            .values_list("from_tier", "to_tier", "n")
            .order_by()
        )
    )
    labels = {**dict(Stage.choices), "": "未入库"}
    return {
        "columns": [labels[s] for s in MATRIX_STAGES],
        "rows": [
            {"label": labels[f], "cells": [counts.get((f, t), 0) for t in MATRIX_STAGES]}
            for f in MATRIX_STAGES
        ],
        "total": sum(counts.values()),
    }


def with_tier_rank(queryset: QuerySet[PoolEntry]) -> QuerySet[PoolEntry]:
    """Annotate `tier_rank`: mature 0, growing 1, startup 2, seed 3, outside the pool 9."""
    from django.db.models import Case, IntegerField, Value, When

    whens = [When(tier=code, then=Value(rank)) for rank, code in enumerate(TIER_ORDER)]
    return queryset.annotate(tier_rank=Case(*whens, default=Value(9), output_field=IntegerField()))


@dataclass(frozen=True)
class PoolFilters:
    """The filters of the pool list, its export and the API (all optional)."""

    q: str = ""
    area: Area | None = None
    industry: IndustryChain | None = None
    tier: str = ""
    stage: str = ""  # pool / hnte / tsme / none
    data_status: str = ""
    max_failed: int | None = None
    rule_set: str = ""  # a TierRuleSet code: candidates (result 1) only


def filter_pool(queryset: QuerySet[PoolEntry], f: PoolFilters) -> QuerySet[PoolEntry]:
    if f.q:
        queryset = queryset.filter(
            Q(organization__name__icontains=f.q) | Q(organization__uscc__iexact=f.q)
        )
    if f.area is not None:
        queryset = queryset.filter(organization__area__in=Area.subtree_ids(f.area.path))
    if f.industry is not None:
        queryset = queryset.filter(
            Q(organization__industry=f.industry) | Q(organization__industry__parent=f.industry)
        )
    if f.tier:
        queryset = queryset.filter(tier=f.tier)
    if f.stage == "pool":
        queryset = queryset.exclude(tier="")
    elif f.stage == "hnte":
        queryset = queryset.filter(is_hnte=True)
    elif f.stage == "tsme":
        queryset = queryset.filter(is_tsme=True)
    elif f.stage == "none":
        queryset = queryset.filter(tier="", is_hnte=False)
    if f.data_status:
        queryset = queryset.filter(data_status=f.data_status)
    if f.max_failed is not None:
        queryset = queryset.filter(hnte_failed__lte=f.max_failed)
    if f.rule_set:
        queryset = queryset.filter(**{f"tier_results__{f.rule_set}": 1})
    return with_tier_rank(queryset).order_by(*CLOSEST_FIRST)


# --------------------------------------------------------------------------- funnel

FUNNEL = (
    ("tsme", "科技型中小企业"),
    (ReserveTier.SEED, "种子型"),
    (ReserveTier.STARTUP, "初创型"),
    (ReserveTier.GROWING, "成长型"),
    (ReserveTier.MATURE, "成熟型"),
    ("hnte", "高新技术企业"),
    ("gazelle", "瞪羚企业"),
    ("leader", "创新龙头企业"),
)


def _funnel_aggregates() -> dict[str, Any]:
    aggregates: dict[str, Any] = {
        "tsme": Count("pk", filter=Q(is_tsme=True)),
        "hnte": Count("pk", filter=Q(is_hnte=True)),
        "gazelle": Count("pk", filter=Q(is_gazelle=True)),
        "leader": Count("pk", filter=Q(is_leader=True)),
    }
    for tier in ReserveTier:
        aggregates[tier.value] = Count("pk", filter=Q(tier=tier.value))
    return aggregates


def funnel(user: Any, root: Area | None = None) -> dict[str, Any]:
    """The funnel (TSME → reserve tiers → HNTE → gazelle → leader) for `root` (default: the
    user's area or the city) and for each of its child areas."""
    if root is None:
        root = user.area if getattr(user, "area_id", None) else Area.objects.get(parent=None)
    rows = (
        pool_for(user)
        .filter(organization__area__in=Area.subtree_ids(root.path))
        .values("organization__area__path")
        .annotate(**_funnel_aggregates())
        .order_by()
    )
    children = list(Area.objects.filter(parent=root).order_by("sort_order", "code"))
    per_child: dict[str, dict[str, int]] = {c.name: defaultdict(int) for c in children}
    total: dict[str, int] = defaultdict(int)
    for row in rows:
        path = row["organization__area__path"]
        owner = next((c for c in children if path.startswith(c.path)), None)
        for key, _ in FUNNEL:
            total[key] += row[key]
            if owner is not None:
                per_child[owner.name][key] += row[key]
    stages = [{"key": k, "label": label, "value": total[k]} for k, label in FUNNEL]
    return {
        "root": root,
        "stages": stages,
        "areas": [
            {"area": c, "values": [per_child[c.name][k] for k, _ in FUNNEL]} for c in children
        ],
    }


def describe_rule_set(rule_set: TierRuleSet) -> dict[str, Any]:
    """A rule set as the pages show it: its criteria in words and what the bureau must set."""
    engine = rule_set.to_engine()
    return {
        "rule_set": rule_set,
        "criteria": tiers.describe(engine.criteria),
        "unset": engine.unset_thresholds(),
        "needs_confirmation": engine.needs_confirmation,
    }


def last_run(user: Any) -> ScreeningRun | None:
    return runs_for(user).first()


def rule_set_counts(user: Any) -> list[dict[str, Any]]:
    """Per tier rule set: how many enterprises in scope pass, fail, or cannot be decided."""
    rule_sets = list(TierRuleSet.objects.exclude(status="inactive"))
    outcomes = {"passed": 1, "unknown": 2, "failed": 0}
    counts = PoolEntry.objects.restrict(user).aggregate(
        **{
            f"{i}_{name}": Count("pk", filter=Q(**{f"tier_results__{r.code}": code}))
            for i, r in enumerate(rule_sets)
            for name, code in outcomes.items()
        }
    )  # one scan for every rule set
    return [
        {"rule_set": r, **{name: counts[f"{i}_{name}"] for name in outcomes}}
        for i, r in enumerate(rule_sets)
    ]


# --------------------------------------------------------------------------- projection


def _holders_per_year(kind: str, years: list[int], organizations: QuerySet) -> dict[int, set[int]]:
    rows = Qualification.objects.filter(
        kind=kind, organization__in=organizations.values("pk")
    ).values_list("organization_id", "issued_on", "expires_on")
    holders: dict[int, set[int]] = {year: set() for year in years}
    for pk, issued, expires in rows.iterator(chunk_size=20000):
        for year in years:
            day = dt.date(year, 12, 31)
            if issued <= day and (expires is None or expires >= day):
                holders[year].add(pk)
    return holders


def last_data_year(organizations: QuerySet) -> int | None:
    """The last year-end the qualification records can speak for: the year of the newest
    HNTE/TSME issue date, never the current (unfinished) year."""
    newest = (
        Qualification.objects.filter(
            kind__in=["HNTE", "TSME"], organization__in=organizations.values("pk")
        )
        .order_by("-issued_on")
        .values_list("issued_on", flat=True)
        .first()
    )
    if newest is None:
        return None
    return min(newest.year, timezone.localdate().year - 1)


def projection_input(
    user: Any,
    target_year: int,
    hnte_target: float | None,
    tsme_target: float | None,
    first_year: int,
    supported: tuple[str, ...] = (),
) -> ProjectionInput | None:
    """The projection engine's input from the records in the user's scope, or None when there
    are no qualification records to project from."""
    organizations = Organization.objects.restrict(user).filter(kind="enterprise")
    base_year = last_data_year(organizations)
    if base_year is None:
        return None
    years = list(range(min(first_year, base_year), base_year + 1))
    hnte = _holders_per_year("HNTE", years, organizations)
    tsme = _holders_per_year("TSME", years, organizations)
    conversions = [
        ConversionYear(
            y, len(tsme[y - 1] - hnte[y - 1]), len((tsme[y - 1] - hnte[y - 1]) & hnte[y])
        )
        for y in years[1:]
    ]
    retentions = [RetentionYear(y, len(hnte[y - 1]), len(hnte[y - 1] & hnte[y])) for y in years[1:]]
    pool = dict(
        pool_for(user).exclude(tier="").values_list("tier").annotate(n=Count("pk")).order_by()
    )
    return ProjectionInput(
        base_year=base_year,
        target_year=target_year,
        hnte_now=len(hnte[base_year]),
        tsme_now=len(tsme[base_year]),
        hnte_history=tuple((y, len(hnte[y])) for y in years),
        tsme_history=tuple((y, len(tsme[y])) for y in years),
        pool={tier: pool.get(tier, 0) for tier in TIER_ORDER},
        tier_rates=tier_rates(user),
        overall_rate=historical_rate(conversions),
        retention=historical_retention(retentions),
        hnte_target=hnte_target,
        tsme_target=tsme_target,
        supported=supported,
    )


def tier_rates(user: Any) -> dict[str, float] | None:
    """Annual tier → HNTE rates observed between screenings about a year apart (runs' recorded
    transitions), for tiers with at least 10 observed members; None without such history."""
    moved: dict[str, int] = defaultdict(int)
    seen: dict[str, int] = defaultdict(int)
    for summary in runs_for(user).filter(status=RunStatus.DONE).values_list("summary", flat=True):
        for before, after in (summary or {}).get("transitions", {}).items():
            if before not in TIER_ORDER:
                continue
            seen[before] += sum(after.values())
            moved[before] += after.get(Stage.HNTE.value, 0)
    rates = {tier: moved[tier] / seen[tier] for tier in TIER_ORDER if seen[tier] >= 10}
    return rates or None


def closest(user: Any, n: int) -> list[PoolEntry]:
    """The `n` pool members closest to HNTE (tier, then fewest failed conditions, then score)."""
    return list(with_tier_rank(pool_for(user).exclude(tier="")).order_by(*CLOSEST_FIRST)[:n])
