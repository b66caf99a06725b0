"""Reads of the cultivation module: the reserve pool, the funnel, movements, the registry's
figures as engine cases (for the self-assessment and the batch screening), and the plan
projection. Everything a user sees starts from `restrict(user)`, so a county user sees their
area only."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone

from kechuang.core.columns import fetch_columns, float_rows
from kechuang.core.parallel import alongside
from kechuang.core.permissions import CITY_WORK
from kechuang.core.references import storable
from kechuang.cultivation.engine import tiers
from kechuang.cultivation.engine.batch import Apart, BatchInput, Screened
from kechuang.cultivation.engine.batch import screen as screen_batch
from kechuang.cultivation.engine.projection import (
    TIER_ORDER,
    ConversionYear,
    Projection,
    ProjectionInput,
    RetentionYear,
    historical_rate,
    historical_retention,
    project,
)
from kechuang.cultivation.engine.registry_batch import Columns, columns_from_rows, screen_columns
from kechuang.cultivation.engine.registry_case import REPORT_FIELDS, WINDOW, case_from_reports
from kechuang.cultivation.filters import Errors, PoolFilters, ProjectionParams
from kechuang.cultivation.models import (
    PoolEntry,
    ReservePolicy,
    ReserveTier,
    RunStatus,
    ScreeningRun,
    Stage,
    TierMovement,
    TierRuleSet,
)
from kechuang.monitoring import selectors as monitoring_selectors
from kechuang.registry.models import (
    AnnualReport,
    Area,
    InnovationPlatform,
    Organization,
    Qualification,
)
from kechuang.registry.models.platforms import PlatformKind, PlatformStatus
from kechuang.registry.selectors import (
    count_holders,
    holders_per_year,
    last_record_year,
    working_areas,
)

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


def filter_movements(queryset: QuerySet[TierMovement], f: Any) -> QuerySet[TierMovement]:
    """The movements page: `f` (filters.MovementFilters) applied."""
    if f.area is not None:
        queryset = queryset.filter(organization__area__in=Area.subtree_ids(f.area.path))
    if f.to_stage:
        queryset = queryset.filter(to_tier="" if f.to_stage == "out" else f.to_stage)
    if f.run is not None:
        queryset = queryset.filter(run=f.run)
    return queryset


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
    whens = [When(tier=code, then=Value(rank)) for rank, code in enumerate(TIER_ORDER)]
    return queryset.annotate(tier_rank=Case(*whens, default=Value(9), output_field=IntegerField()))


# The pool list's `stage` filter: the lookups each stage keeps (pool = any tier).
STAGE_FILTERS: dict[str, tuple[Q, bool]] = {
    "pool": (Q(tier=""), False),
    "hnte": (Q(is_hnte=True), True),
    "tsme": (Q(is_tsme=True), True),
    "none": (Q(tier="", is_hnte=False), True),
}


def pool_entry_for(user: Any, organization_id: int) -> PoolEntry | None:
    """One enterprise's pool entry within the user's scope; None when there is none (an id no
    database column can hold included: it names nothing)."""
    if not storable(organization_id):
        return None
    return pool_for(user).filter(organization_id=organization_id).first()


def filter_pool(queryset: QuerySet[PoolEntry], f: PoolFilters) -> QuerySet[PoolEntry]:
    """The pool list, its export and the API: `f` applied, the closest to HNTE first."""
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
    queryset = _filter_pool_fields(queryset, f)
    return with_tier_rank(queryset).order_by(*CLOSEST_FIRST)


def _filter_pool_fields(queryset: QuerySet[PoolEntry], f: PoolFilters) -> QuerySet[PoolEntry]:
    """The filters on the entry's own fields: tier, stage, data status, failed conditions and
    a tier rule set's candidates."""
    if f.tier:
        queryset = queryset.filter(tier=f.tier)
    if f.stage in STAGE_FILTERS:
        lookup, keep = STAGE_FILTERS[f.stage]
        queryset = queryset.filter(lookup) if keep else queryset.exclude(lookup)
    if f.data_status:
        queryset = queryset.filter(data_status=f.data_status)
    if f.max_failed is not None:
        queryset = queryset.filter(hnte_failed__lte=f.max_failed)
    if f.rule_set:
        queryset = queryset.filter(**{f"tier_results__{f.rule_set}": 1})
    return queryset


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
        root = (
            user.area
            if getattr(user, "area_id", None)
            else Area.objects.get(parent=None, kind="city")
        )
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
    today = timezone.localdate()
    # The screening days behind these totals: a county screened alone has a newer day than the
    # rest, and the page says so rather than adding them silently.
    days = (
        pool_for(user)
        .filter(organization__area__in=Area.subtree_ids(root.path))
        .values("as_of")
        .annotate(n=Count("pk"))
        .order_by("-as_of")
    )
    return {
        "root": root,
        "stages": stages,
        # The registry's one count today (the home page's), beside the funnel's screening-day
        # figures: the two differ by the qualifications issued or expired since that day.
        "screening_days": [(row["as_of"], row["n"]) for row in days],
        "registry_today": {
            kind.lower(): count_holders(kind, today, area=root, user=user)
            for kind in ("HNTE", "TSME")
        },
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
    # The registry's one count (registry.selectors): the same holders as the home page and
    # monitoring's computed series, within the user's scope.
    organizations = Organization.objects.restrict(user)
    base_year = last_record_year(["HNTE", "TSME"], organizations)
    if base_year is None:
        return None
    years = list(range(min(first_year, base_year), base_year + 1))
    hnte = holders_per_year("HNTE", years, organizations)
    tsme = holders_per_year("TSME", years, organizations)
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


# --------------------------------------------------------------------------- cases and screening


# REPORT_FIELDS as read for the engine: the decimal amounts cast to floats in SQL.
_AS_FLOATS = [
    Cast(name, FloatField())
    if isinstance(AnnualReport._meta.get_field(name), DecimalField)
    else F(name)
    for name in REPORT_FIELDS
]


def _reports(organizations: QuerySet[Organization], as_of: dt.date) -> dict[int, list[dict]]:
    """The last WINDOW confirmed reports before as_of's year per organization, oldest first.

    The amounts are read as floats (cast in SQL): the engine computes in floats anyway, and
    building a Decimal per value was most of the reading time of a whole-city run."""
    rows = (
        AnnualReport.objects.filter(
            organization__in=organizations.values("pk"),
            year__lt=as_of.year,
            confirmed_at__isnull=False,
        )
        .order_by("organization_id", "-year")
        .values_list("organization_id", "year", *_AS_FLOATS)
    )
    out: dict[int, list[dict]] = defaultdict(list)
    for row in rows.iterator(chunk_size=20000):
        kept = out[row[0]]
        if len(kept) < WINDOW:
            kept.append(dict(zip(("year", *REPORT_FIELDS), row[1:], strict=True)))
    for kept in out.values():
        kept.reverse()
    return out


def valid_qualifications(
    organizations: QuerySet[Organization], as_of: dt.date
) -> dict[int, set[str]]:
    """Every qualification kind each organization holds on `as_of`."""
    held: dict[int, set[str]] = defaultdict(set)
    rows = (
        Qualification.objects.filter(
            Qualification.valid_on(as_of), organization__in=organizations.values("pk")
        )
        .order_by()
        .values_list("organization_id", "kind")
    )
    for organization_id, kind in rows.iterator(chunk_size=20000):
        held[organization_id].add(kind)
    return held


def cases_for(
    organizations: QuerySet[Organization], as_of: dt.date
) -> tuple[dict[int, dict[str, Any]], dict[int, list[dict]], dict[int, set[str]]]:
    """Cases of every organization of the queryset, plus the raw reports and qualifications
    they were built from (the screening derives its tier metrics from the same rows)."""
    reports = _reports(organizations, as_of)
    held = valid_qualifications(organizations, as_of)
    cases = {}
    rows = organizations.values_list("pk", "founded_on", "tech_field__name")
    for pk, founded_on, tech_field in rows.iterator(chunk_size=20000):
        cases[pk] = case_from_reports(
            as_of=as_of,
            founded_on=founded_on,
            tech_field=tech_field,
            reports=reports.get(pk, []),
            qualifications=held.get(pk, ()),
        )
    return cases, reports, held


def case_for(organization: Organization, as_of: dt.date) -> dict[str, Any]:
    """The case of one organization (the self-assessment's starting point)."""
    cases, _, _ = cases_for(Organization.objects.filter(pk=organization.pk), as_of)
    return cases[organization.pk]


RD_PLATFORM_KINDS = (
    PlatformKind.KEY_LAB,
    PlatformKind.TECH_INNOVATION_CENTER,
    PlatformKind.ENGINEERING_CENTER,
    PlatformKind.ENTERPRISE_TECH_CENTER,
    PlatformKind.NEW_RD_INSTITUTE,
    PlatformKind.ACADEMICIAN_STATION,
    PlatformKind.ZHONGYUAN_SCHOLAR_STATION,
    PlatformKind.POSTDOC_STATION,
    PlatformKind.INTERNATIONAL_JOINT_LAB,
    PlatformKind.CLINICAL_RESEARCH_CENTER,
    PlatformKind.MANUFACTURING_INNOVATION_CENTER,
)


def rd_platform_hosts(as_of: dt.date) -> set[int]:
    """The organizations hosting an operating R&D platform (municipal level or above, every
    level the registry holds) approved by `as_of`; incubators and service bodies do not count."""
    return set(
        InnovationPlatform.objects.filter(
            kind__in=RD_PLATFORM_KINDS, status=PlatformStatus.OPERATING, approved_on__lte=as_of
        ).values_list("host_id", flat=True)
    )


def _report_rows(organizations: QuerySet[Organization], as_of: dt.date) -> np.ndarray:
    """Every confirmed report before as_of's year of the organizations, in no particular
    order, as one float array (organization id, year, REPORT_FIELDS; NaN for none): one query
    whose rows go straight into the array, no model or dict per row."""
    rows = (
        AnnualReport.objects.filter(
            organization__in=organizations.values("pk"),
            year__lt=as_of.year,
            confirmed_at__isnull=False,
        )
        .order_by()  # in any order: columns_from_rows puts them in order
        .values_list("organization_id", "year", *_AS_FLOATS)
    )
    return float_rows(rows)


def registry_columns(organizations: QuerySet[Organization], as_of: dt.date) -> Columns:
    """The registry's figures of the organizations as columns for the batch screening (the
    reports, most of the database's work, read alongside the other reads where that pays)."""
    reports = alongside(lambda: _report_rows(organizations, as_of))
    organization_columns = fetch_columns(
        organizations.order_by("pk"),  # by key: the name order costs a sort
        ("pk", "founded_on", "tech_field__name"),
        dates=(1,),
    )
    held = valid_qualifications(organizations, as_of)
    hosts = rd_platform_hosts(as_of)
    return columns_from_rows(
        as_of,
        list(zip(*organization_columns, strict=True)),
        reports(),
        held,
        hosts,
    )


def screen(
    organizations: QuerySet[Organization],
    as_of: dt.date,
    policy: ReservePolicy,
    rule_sets: list[TierRuleSet],
    apart: Apart | None = None,
) -> Screened:
    """Screen the enterprises of the queryset on `as_of` (no writes): their registry figures
    read as columns through the batch engine, with the policy's reserve tiers and the tier
    rule sets (the same answers as the case-by-case :func:`screen_cases`). With ``apart``
    (:func:`kechuang.core.parallel.apart`) the gaps are computed in another process while the
    caller goes on; ``Screened.settle()`` waits for them."""
    return screen_columns(
        registry_columns(organizations, as_of),
        policy.to_engine(),
        [r.to_engine() for r in rule_sets],
        apart,
    )


def screen_cases(
    organizations: QuerySet[Organization],
    as_of: dt.date,
    policy: ReservePolicy,
    rule_sets: list[TierRuleSet],
) -> Screened:
    """The screening case by case (each enterprise's case built and read on its own): the
    reference :func:`screen` is compared with in the tests."""
    cases, reports, held = cases_for(organizations, as_of)
    data = BatchInput(
        as_of=as_of,
        cases=cases,
        reports=reports,
        held=held,
        rd_platform_hosts=rd_platform_hosts(as_of),
    )
    return screen_batch(data, policy.to_engine(), [r.to_engine() for r in rule_sets])


# --------------------------------------------------------------------------- the projection page


def plan_targets(user: Any, plan: Any) -> dict[str, Any]:
    """The plan's HNTE and TSME targets for the user's scope: the city's, or the county's share
    when the target has been split (monitoring's area targets); None where there is none."""
    out: dict[str, Any] = {"target_year": plan.end_year, "hnte": None, "tsme": None}
    county = getattr(user, "area_id", None) and not CITY_WORK.allows(user)
    for code, key in (("hnte_count", "hnte"), ("tsme_count", "tsme")):
        indicator = plan.indicators.filter(code=code).first()
        if indicator is None:
            continue
        out["target_year"] = indicator.target_year or plan.end_year
        if county:
            split = indicator.area_targets.filter(area=user.area).first()
            out[key] = float(split.target_value) if split else None
        elif indicator.target_value is not None:
            out[key] = float(indicator.target_value)
    return out


@dataclass
class ProjectionRequest:
    """Everything the projection page and endpoint show, or the reasons they cannot."""

    plans: list[Any]
    plan: Any = None
    support: int = 0
    errors: Errors = field(default_factory=dict)
    targets: dict[str, Any] = field(
        default_factory=lambda: {"target_year": None, "hnte": None, "tsme": None}
    )
    inp: ProjectionInput | None = None
    result: Projection | None = None
    chosen: list[PoolEntry] = field(default_factory=list)
    empty: bool = False


def projection(user: Any, params: ProjectionParams) -> ProjectionRequest:
    """The plan (the newest with an HNTE count indicator unless `params` names one), its
    targets for the user's scope under the typed overrides, and the projection."""
    plans = list(
        monitoring_selectors.plans_for(user)
        .filter(indicators__code="hnte_count")
        .distinct()
        .order_by("-end_year")
    )
    out = ProjectionRequest(plans=plans, plan=plans[0] if plans else None)
    if params.plan:
        out.plan = next((p for p in plans if p.code == params.plan), None)
        if out.plan is None:
            out.errors["plan"] = [f"未知的规划：{params.plan}"]
    if "support" in params.errors:
        out.errors["support"] = params.errors["support"]
    out.support = params.support
    if out.plan is None:
        return out
    out.targets = {**plan_targets(user, out.plan), **params.overrides}
    out.errors.update({k: v for k, v in params.errors.items() if k != "support"})
    if out.errors:
        return out
    out.chosen = closest(user, out.support)
    out.inp = projection_input(
        user,
        target_year=out.targets["target_year"],
        hnte_target=out.targets["hnte"],
        tsme_target=out.targets["tsme"],
        first_year=out.plan.start_year - 1,
        supported=tuple(e.tier for e in out.chosen),
    )
    if out.inp is None:
        out.empty = True
        return out
    out.result = project(out.inp)
    return out
