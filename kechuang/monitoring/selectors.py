"""Reads for monitoring: computed indicators (traceable to the registry records behind them),
progress per indicator and area, commitments, the area ranking and the heat map.

Published figures (observations) and figures computed from the registries are kept apart: the
status of an indicator comes from the published figures; the computed series has its own
progress, shown beside it, never silently replacing it.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Model, Q, Sum
from django.urls import reverse
from django.utils import timezone

from kechuang.contracts.models import TechContract
from kechuang.contracts.selectors import contract_amount_per_year
from kechuang.core.audit import data_version
from kechuang.core.permissions import VIEW_OBSERVATIONS
from kechuang.monitoring.engine.commitments import (
    STATUS_LABELS,
    Judgement,
    Point,
    Rule,
    Tolerance,
    judge,
)
from kechuang.monitoring.engine.observations import Observation as EngineObservation
from kechuang.monitoring.engine.observations import select_counted
from kechuang.monitoring.engine.progress import ProgressResult, compute_progress, rank_areas
from kechuang.monitoring.models import (
    NOT_COUNTED_STATES,
    AreaTarget,
    Commitment,
    ComputedFrom,
    Indicator,
    Observation,
    Plan,
    ReviewState,
)
from kechuang.registry.models import (
    AnnualReport,
    Area,
    InnovationPlatform,
    Organization,
    Patent,
    PlatformKind,
    PlatformLevel,
    PlatformStatusChange,
    Qualification,
    Talent,
    Team,
    TeamProgramme,
)
from kechuang.registry.selectors import (
    holder_counts_per_year,
    last_record_year,
    platforms_new_counts,
    platforms_new_url,
    platforms_operating_counts,
    working_areas,
)


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def last_ended_year(plan: Plan, as_of: dt.date) -> int:
    """The last year of the plan that has ended by `as_of` (a year-end count is not known
    before 31 December)."""
    return min(as_of.year if as_of >= year_end(as_of.year) else as_of.year - 1, plan.end_year)


# --- computed indicators --------------------------------------------------------------------


@dataclass(frozen=True)
class Computed:
    year: int
    value: float | None
    detail: str  # how it was computed, in Chinese, with the counts
    trace_url: str  # the registry list holding the records behind the value
    # True for a year the records cannot yet speak for (no issue recorded in it): shown with its
    # note, never used to judge a commitment
    incomplete: bool = False


Series = dict[str, dict[int, Computed]]  # {area code: {year: Computed}}
SeriesReader = Callable[[list[int], list[Area], dict[int, Area]], Series]


def _area_tree() -> dict[int, Area]:
    return {a.pk: a for a in Area.objects.only("pk", "path", "code")}


def _subtree_counts(rows: Any, areas: list[Area], by_id: dict[int, Area]) -> dict[str, Decimal]:
    """Roll per-area sums ({area_id: value}) up to each of `areas` (by path prefix); the rows
    may hold any area of the tree (`by_id`, read once per series), not only those asked for."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for area_id, value in rows:
        leaf = by_id.get(area_id)
        if leaf is None or value is None:
            continue
        for area in areas:
            if leaf.path.startswith(area.path):
                totals[area.code] += Decimal(value)
    return totals


def _trace(name: str, **params: Any) -> str:
    return (
        reverse(f"registry:{name}_list") + "?" + urlencode({k: v for k, v in params.items() if v})
    )


def _per_year(
    queryset: Any, area_path: str, measure: Any, years: list[int], condition: Any
) -> dict[int, list]:
    """One scan for all years: {year: [(area id, value)]} from conditional aggregates."""
    annotations = {f"y{year}": measure(condition(year)) for year in years}
    rows = queryset.values(area_path).annotate(**annotations).values_list(area_path, *annotations)
    per_year: dict[int, list] = {year: [] for year in years}
    for area_id, *values in rows:
        for year, value in zip(years, values, strict=True):
            per_year[year].append((area_id, value))
    return per_year


def _qualification_series(kind: str, label: str) -> SeriesReader:
    """Organizations holding a valid `kind` qualification at each year end: the registry's one
    count (`registry.selectors.holder_counts_per_year`, the same as the home page's and the
    projection's). A year after the last one the records speak for (no issue recorded in it
    yet) says so: its count shows certificates running out but none of that year's issues.
    (The projection starts from that last year for the same reason.)"""

    def series(years: list[int], areas: list[Area], tree: dict[int, Area]) -> Series:
        per_year = holder_counts_per_year(kind, years)
        last = last_record_year([kind])
        result: Series = defaultdict(dict)
        for year in years:
            day, totals = year_end(year), _subtree_counts(per_year[year], areas, tree)
            for area in areas:
                n = totals.get(area.code, Decimal(0))
                trace = _trace(
                    "qualifications", kind=kind, valid_on=day.isoformat(), area=area.code
                )
                detail = f"{day} 有效（已核验且在有效期内）的{label}资质 {n} 家"
                incomplete = last is not None and year > last
                if incomplete:
                    detail += (
                        f"；登记库尚无 {year} 年认定的{label}记录（最新认定在 {last} 年），"
                        "该年新认定录入前此数偏低"
                    )
                result[area.code][year] = Computed(year, float(n), detail, trace, incomplete)
        return result

    return series


def _platform_series(years: list[int], areas: list[Area], tree: dict[int, Area]) -> Series:
    """Innovation platforms operating on each year end, by their status on that day (the
    registry's status history): a platform revoked in 2024 still counts for 2021–2023. One
    set-based read for every year (`registry.selectors.platforms_operating_counts`)."""
    result: Series = defaultdict(dict)
    per_day = platforms_operating_counts([year_end(year) for year in years])
    for year in years:
        day = year_end(year)
        totals = _subtree_counts(per_day[day].items(), areas, tree)
        for area in areas:
            n = totals.get(area.code, Decimal(0))
            result[area.code][year] = Computed(
                year,
                float(n),
                f"{day} 运行中的创新平台 {n} 个（按当日的状态，含其后撤销、整合的平台）",
                _trace("platforms", operating_on=day.isoformat(), area=area.code),
            )
    return result


def _hv_patent_series(years: list[int], areas: list[Area], tree: dict[int, Area]) -> Series:
    """High-value invention patents in force at each year end per 10,000 residents (the
    population is the published auxiliary indicator `population`, in 万人)."""
    per_year = _per_year(
        Patent.objects.filter(kind="invention", legal_status="in_force"),
        "organization__area",
        lambda cond: Count("pk", filter=cond),
        years,
        lambda year: Patent.high_value_on(year_end(year)),
    )
    result: Series = defaultdict(dict)
    for year in years:
        day, totals = year_end(year), _subtree_counts(per_year[year], areas, tree)
        population = published_latest("population", areas, year)
        for area in areas:
            n = totals.get(area.code, Decimal(0))
            pop = population.get(area.code)
            value = float(n) / pop if pop else None  # population in 万人 → per 10,000 residents
            detail = (
                f"{day} 有效高价值发明专利 {n} 件 ÷ 常住人口 {pop} 万人"
                if pop
                else f"{day} 有效高价值发明专利 {n} 件；缺少 {year} 年常住人口，无法计算"
            )
            result[area.code][year] = Computed(
                year,
                value,
                detail,
                _trace("patents", high_value_on=day.isoformat(), area=area.code),
            )
    return result


INDUSTRIAL_SECTIONS_ZH = "B 采矿业、C 制造业、D 电力、热力、燃气及水生产和供应业"


def _industrial_rd_series(years: list[int], areas: list[Area], tree: dict[int, Area]) -> Series:
    """规上工业企业研发经费支出 ÷ 营业收入 (%): confirmed reports of enterprises above designated
    size whose industry section (GB/T 4754-2017) is B, C or D. 规上 enterprises with no section
    recorded cannot be told industrial or not: they are left out and counted in the detail."""
    # One scan of the reports for both the sums of the industrial ones and the count of those
    # that cannot be told (conditional aggregates; two scans cost twice as much at scale 100).
    industrial = Organization.industrial_q("organization__")
    unknown = Q(organization__industry_section="")
    grouped = (
        AnnualReport.objects.filter(
            industrial | unknown,
            year__in=years,
            organization__is_above_designated_size=True,
            organization__kind="enterprise",
            confirmed_at__isnull=False,
        )
        .values("organization__area", "year")
        .annotate(
            rd=Sum("rd_expense", filter=industrial),
            revenue=Sum("total_revenue", filter=industrial),
            industrial=Count("pk", filter=industrial),
            # one report per organization and year (annual_report_natural_key): counting the
            # reports counts the organizations, without the sort a DISTINCT costs
            n=Count("pk", filter=unknown),
        )
        .values_list("organization__area", "year", "rd", "revenue", "industrial", "n")
        .order_by()
    )
    rows, unclassified = [], []
    for area_id, year, rd, revenue, industrial_reports, n in grouped:
        if industrial_reports:
            rows.append((area_id, year, rd, revenue))
        if n:
            unclassified.append((area_id, year, n))
    result: Series = defaultdict(dict)
    for year in years:
        rd = _subtree_counts([(a, r) for a, y, r, _ in rows if y == year], areas, tree)
        revenue = _subtree_counts([(a, v) for a, y, _, v in rows if y == year], areas, tree)
        missing = _subtree_counts([(a, n) for a, y, n in unclassified if y == year], areas, tree)
        for area in areas:
            r, v = rd.get(area.code, Decimal(0)), revenue.get(area.code, Decimal(0))
            value = float(r / v * 100) if v else None
            detail = (
                f"{year} 年规上工业企业（国民经济行业门类 {INDUSTRIAL_SECTIONS_ZH}）已确认年报："
                f"研发费用 {r:.2f} 万元 ÷ 营业收入 {v:.2f} 万元"  # the same text on every database
            )
            left_out = int(missing.get(area.code, 0))
            if left_out:
                detail += f"；另有 {left_out} 家规上企业未登记行业门类，无法判断是否工业，未计入"
            result[area.code][year] = Computed(
                year,
                value,
                detail,
                _trace(
                    "annual_reports",
                    year=year,
                    area=area.code,
                    above_designated_size="true",
                    industrial="true",
                ),
            )
    return result


def _contract_series(years: list[int], areas: list[Area], tree: dict[int, Area]) -> Series:
    """技术合同成交额 (亿元) from the contract register (`contracts.selectors`)."""
    result: Series = defaultdict(dict)
    for code, per_year in contract_amount_per_year(years, areas, tree).items():
        for year, v in per_year.items():
            result[code][year] = Computed(year, float(v["value"]), v["detail"], v["trace_url"])
    return result


# One reader per computable indicator (ComputedFrom).
SERIES_READERS: dict[str, SeriesReader] = {
    ComputedFrom.HNTE_COUNT: _qualification_series("HNTE", "高新技术企业"),
    ComputedFrom.TSME_COUNT: _qualification_series("TSME", "科技型中小企业"),
    ComputedFrom.PLATFORMS: _platform_series,
    ComputedFrom.HV_PATENTS: _hv_patent_series,
    ComputedFrom.INDUSTRIAL_RD: _industrial_rd_series,
    ComputedFrom.TECH_CONTRACTS: _contract_series,
}


def computed_series(code: str, years: list[int], areas: list[Area]) -> Series:
    """{area code: {year: Computed}} for one computable indicator (empty for another code).

    One grouped query per indicator (conditional aggregates, one per year), so recomputing every
    year of the plan scans each registry table once (bench/bench_progress.py).
    """
    tree = _area_tree()
    reader = SERIES_READERS.get(code)
    return reader(years, areas, tree) if reader else defaultdict(dict)


def published_latest(code: str, areas: list[Area], year: int) -> dict[str, float]:
    """The counted published value of an (auxiliary) indicator for each of `areas` in `year`,
    chosen by the engine's own rule (`select_counted`: 正式数 before 初步数, then the newest);
    figures in conflict or rejected do not count."""
    rows = Observation.objects.filter(
        indicator__code=code,
        year=year,
        kind__in=("actual", "preliminary"),
        area__in=areas,
        state=ReviewState.OK,
    ).select_related("area")
    by_area: dict[str, list[EngineObservation]] = defaultdict(list)
    for obs in rows:
        by_area[obs.area.code].append(
            EngineObservation(obs.year, float(obs.value), obs.kind, obs.as_of, obs.source_title)
        )
    values = {}
    for area_code, observations in by_area.items():
        counted = select_counted(observations).counted
        if counted:
            values[area_code] = counted[-1].value
    return values


# --- progress ----------------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    indicator: Indicator
    area: Area
    target: Any  # the target the progress is measured against (city or area share)
    published: ProgressResult | None
    computed: ProgressResult | None
    computed_points: list[Computed]
    conflicts: int
    warnings: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.published.status if self.published else "no_data"


def _target_for(
    indicator: Indicator, area: Area, plan: Plan, area_targets: dict[Any, AreaTarget]
) -> Any:
    if area.pk == plan.area_id:
        return SimpleNamespace(**indicator.target_spec)
    share = area_targets.get((indicator.pk, area.pk))
    if share is None or share.baseline_value is None:
        return None
    spec = indicator.target_spec
    spec.update(baseline_value=float(share.baseline_value), target_value=float(share.target_value))
    return SimpleNamespace(**spec)


def _engine_observations(
    rows: list[Observation], as_of: dt.date
) -> tuple[list[EngineObservation], int]:
    usable, conflicts = [], 0
    for obs in rows:
        if obs.as_of > as_of or obs.state in NOT_COUNTED_STATES:
            continue  # rejected after review, or withdrawn (作废): kept on record, never counted
        if obs.state == ReviewState.CONFLICT:
            conflicts += 1
            continue  # a figure two sources disagree on does not count until a person decides
        # cumulative and partial figures go in too: the engine sets them aside with the reason
        usable.append(
            EngineObservation(obs.year, float(obs.value), obs.kind, obs.as_of, obs.source_title)
        )
    return usable, conflicts


def _progress(
    target: Any, observations: list[EngineObservation]
) -> tuple[ProgressResult | None, str]:
    if target is None:
        return None, "该区域尚未分解目标"
    try:
        return compute_progress(target, observations), ""
    except ValueError as error:  # ObservationConflict, or a target the formulas refuse
        return None, str(error)


# What the progress and the commitments are computed from: a write to any of them makes a new
# data version, so a cached result is never served after the data changed (core.audit).
PROGRESS_MODELS: tuple[type[Model], ...] = (
    Plan,
    Indicator,
    AreaTarget,
    Commitment,
    Observation,
    Area,
    Organization,
    Qualification,
    InnovationPlatform,
    PlatformStatusChange,
    Patent,
    AnnualReport,
    Team,
    Talent,
    TechContract,
)
# The results kept in this process (newest last): the objects themselves, not pickled copies —
# unpickling the progress rows cost a quarter of a second per request. Results are read, never
# changed, by their callers. Each server process keeps its own; a stale one is never served,
# since the key holds the data version.
RECENT_RESULTS: OrderedDict[str, Any] = OrderedDict()
RECENT_SIZE = 32


def progress_version() -> tuple[Any, ...]:
    """The version of the data the progress reads (one query), with today's date: the
    registry's last record year and the year ends known depend on it."""
    return (timezone.localdate().isoformat(), *data_version(*PROGRESS_MODELS))


# Whole answers per request inputs and viewer (the progress API): small, many, kept apart so
# they never push the computed results above out.
RECENT_ANSWERS: OrderedDict[str, Any] = OrderedDict()
ANSWERS_SIZE = 128


def cached_on_data(
    name: str,
    parts: tuple[Any, ...],
    compute: Callable[[], Any],
    store: OrderedDict[str, Any] | None = None,
) -> Any:
    """`compute()`'s result, cached under `name`, `parts` and the data version: recomputed
    only after a write to what it reads (or a new day). `parts` must hold everything else the
    result depends on (plan, day, areas, …). `store`: RECENT_ANSWERS for per-request answers
    (default RECENT_RESULTS)."""
    kept, size = (RECENT_RESULTS, RECENT_SIZE) if store is None else (store, ANSWERS_SIZE)
    key = f"{name}:{(parts, progress_version())!r}"
    if key in kept:
        kept.move_to_end(key)
        return kept[key]
    result = compute()
    kept[key] = result
    while len(kept) > size:
        kept.popitem(last=False)
    return result


def viewer_key(user: Any) -> tuple[Any, ...]:
    """All of a user the plans, the areas and published-only depend on (core.scoping): part of
    the key of an answer kept per request."""
    fields = ("pk", "role", "area_id", "organization_id", "is_active", "is_superuser")
    return tuple(getattr(user, name, None) for name in fields)


def forget_cached_results() -> None:
    """Drop every kept result (tests: SQLite hands out a rolled back test's ids again)."""
    RECENT_RESULTS.clear()
    RECENT_ANSWERS.clear()


def plan_progress(
    plan: Plan,
    as_of: dt.date,
    areas: list[Area] | None = None,
    codes: list[str] | None = None,
    published_only: bool = False,
) -> dict[str, list[IndicatorRow]]:
    """{area code: [IndicatorRow per indicator]} for the plan as known on `as_of`; `codes`
    limits the work to those indicators (one indicator's page computes only its own).
    `published_only` (see `published_only()`): the published figures alone, no registry counts
    and no word of figures under review. Cached, keyed on the version of the data it reads
    (`progress_version`) and on `published_only`."""
    areas = areas or list(Area.local().order_by("sort_order"))
    codes_part = tuple(codes) if codes else codes
    parts = (plan.pk, as_of, tuple(a.pk for a in areas), codes_part, published_only)
    return cached_on_data(
        "progress", parts, lambda: _plan_progress(plan, as_of, areas, codes, published_only)
    )


def _plan_progress(
    plan: Plan,
    as_of: dt.date,
    areas: list[Area],
    codes: list[str] | None,
    published_only: bool = False,
) -> dict[str, list[IndicatorRow]]:
    indicators = plan.indicators.filter(is_auxiliary=False).order_by("sort_order")
    if codes is not None:
        indicators = indicators.filter(code__in=codes)
    indicators = list(indicators)
    # Computed values exist for years that have ended by `as_of` (a year-end count is not known
    # before 31 December).
    last = last_ended_year(plan, as_of)
    years = list(range(plan.start_year - 1, last + 1))
    observations: dict[tuple[int, int], list[Observation]] = defaultdict(list)
    for obs in Observation.objects.filter(indicator__in=indicators, area__in=areas).select_related(
        "area"
    ):
        observations[(obs.indicator_id, obs.area_id)].append(obs)
    area_targets = {
        (t.indicator_id, t.area_id): t for t in AreaTarget.objects.filter(indicator__in=indicators)
    }
    computed = {
        ind.code: computed_series(ind.computed_from, years, areas)
        for ind in indicators
        if ind.computed_from and not published_only
    }
    result: dict[str, list[IndicatorRow]] = {}
    for area in areas:
        rows = []
        for indicator in indicators:
            target = _target_for(indicator, area, plan, area_targets)
            usable, conflicts = _engine_observations(observations[(indicator.pk, area.pk)], as_of)
            conflicts = 0 if published_only else conflicts
            published, warning = _progress(target, usable)
            points = [
                p
                for p in computed.get(indicator.code, {}).get(area.code, {}).values()
                if p.value is not None and p.year <= as_of.year
            ]
            computed_progress = None
            if points and target is not None and indicator.kind != "average_annual_growth":
                computed_progress, _ = _progress(
                    target,
                    [
                        EngineObservation(p.year, p.value, "actual", year_end(p.year), "登记库计算")
                        for p in points
                        if p.year >= indicator.baseline_year
                    ],
                )
            warnings = [warning] if warning else []
            if conflicts:
                warnings.append(f"{conflicts} 个监测值来源冲突，待核实，暂不计入")
            rows.append(
                IndicatorRow(
                    indicator,
                    area,
                    target,
                    published,
                    computed_progress,
                    sorted(points, key=lambda p: p.year),
                    conflicts,
                    warnings,
                )
            )
        result[area.code] = rows
    return result


def area_ranking(
    progress: dict[str, list[IndicatorRow]], indicator_code: str, areas: list[Area]
) -> list[Any]:
    """Areas (not the city) ranked by completion of one indicator; areas without data last."""
    names = {a.code: a.name for a in areas}
    entries = {}
    for code, rows in progress.items():
        if code not in names or not any(r.indicator.code == indicator_code for r in rows):
            continue
        row = next(r for r in rows if r.indicator.code == indicator_code)
        if row.area.parent_id is None:
            continue
        entries[names[code]] = SimpleNamespace(
            completion=row.published.completion if row.published else None, status=row.status
        )
    return rank_areas(entries)


@dataclass(frozen=True)
class CommitmentRow:
    """One commitment as the plan means it (engine/commitments.py): the judgement, and the
    registry records behind any count computed for it."""

    commitment: Commitment
    judgement: Judgement
    links: tuple[tuple[str, str], ...] = ()  # (label, registry list URL)
    area_names: dict[str, str] = field(default_factory=dict)

    def area_name(self, code: str) -> str:
        return self.area_names.get(code, code)

    @property
    def status(self) -> str:
        return self.judgement.status

    @property
    def status_label(self) -> str:
        label = self.judgement.status_label
        figure = self.judgement.figure
        if self.status == "met" and figure and figure.year < self.commitment.target_year:
            return f"{label}（{figure.year} 年）"
        return label

    @property
    def latest(self) -> Observation | None:
        """The published observation judged, when the figure is one observation."""
        figure = self.judgement.figure
        if figure is None or len(figure.points) != 1:
            return None
        ref = figure.points[0].ref
        return ref if isinstance(ref, Observation) else None


COMMITMENT_LABELS = STATUS_LABELS


def commitment_progress(
    plan: Plan, as_of: dt.date, published_only: bool = False
) -> list[CommitmentRow]:
    """Each commitment judged on the figures known on `as_of`: its own published figures (any
    area it applies to), else the indicator it restates, else a count from the registries.
    `published_only`: the figures published for the city (and a benchmark area) alone.
    Cached like `plan_progress`."""
    return cached_on_data(
        "commitments",
        (plan.pk, as_of, published_only),
        lambda: _commitment_progress(plan, as_of, published_only),
    )


def _commitment_progress(
    plan: Plan, as_of: dt.date, published_only: bool = False
) -> list[CommitmentRow]:
    commitments = list(
        plan.commitments.select_related("indicator", "benchmark_area").order_by("sort_order")
    )
    last = last_ended_year(plan, as_of)
    years = list(range(plan.start_year, last + 1))
    own = _commitment_points(plan, as_of)
    restated = _restated_points(
        plan, as_of, years, [c.indicator for c in commitments if c.indicator], published_only
    )
    county_areas = Area.objects.filter(parent=plan.area, kind__in=COUNTY_KINDS)
    counties = [a.code for a in county_areas.order_by("sort_order", "code")]
    names = dict(Area.objects.values_list("code", "name"))
    result = []
    for c in commitments:
        points = own.get(c.pk, [])
        fallbacks: list[tuple[str, list[Point]]] = []
        if c.indicator_id:
            fallbacks += restated.get(c.indicator.code, [])
        links: tuple[tuple[str, str], ...] = ()
        if published_only:
            public = {plan.area.code, c.benchmark_area.code if c.benchmark_area else ""}
            points = [p for p in points if p.area in public]
        else:
            counted, links = registry_count(c, plan, years)
            if counted:
                fallbacks.append(("登记库计数", counted))
        areas = _commitment_areas(c, plan, counties)
        judgement = judge(
            _rule(c, plan, areas),
            points,
            area=plan.area.code,
            as_of_year=as_of.year,
            benchmark=_benchmark_points(c, points),
            fallbacks=fallbacks,
        )
        result.append(CommitmentRow(c, judgement, links, names))
    return result


COUNTY_KINDS = ("district", "county", "county_city")


def _benchmark_points(c: Commitment, points: list[Point]) -> list[Point]:
    """The commitment's observations entered for its benchmark area (e.g. 河南省)."""
    if c.benchmark_area is None:
        return []
    return [p for p in points if p.area == c.benchmark_area.code]


def registry_count(
    c: Commitment, plan: Plan, years: list[int]
) -> tuple[list[Point], tuple[tuple[str, str], ...]]:
    """The count the registries hold for a commitment's `computed` spec, per year, with links
    to the records: `new` counts what was added from the plan's first day to each year end (a
    cumulative point), `stock` what stood at each year end. ([], ()) without a spec."""
    spec = c.computed or {}
    reader = REGISTRY_COUNTS.get(spec.get("source", ""))
    if reader is None or not years:
        return [], ()
    added = c.measure in ("new", "cumulative")
    counts, links = reader(spec, plan, years, added)
    points = [
        Point(
            plan.area.code,
            year,
            float(n),
            "cumulative" if added else "registry",
            year_end(year),
            start_year=plan.start_year if added else None,
        )
        for year, n in counts.items()
    ]
    return points, links


ALL_LEVELS = frozenset(PlatformLevel.values)


def _platform_counts(
    spec: dict[str, Any], plan: Plan, years: list[int], added: bool
) -> tuple[dict[int, int], tuple[tuple[str, str], ...]]:
    """`new`: platforms new (approved, or upgraded into the levels) from the plan's first day to
    each year end; `stock`: platforms operating on each year end at the levels they had that day
    (the registry's status history, `registry.selectors`)."""
    first = dt.date(plan.start_year, 1, 1)
    kinds = list(spec.get("kinds") or [])
    levels = [lv for lv in spec.get("levels") or [] if set(spec["levels"]) != ALL_LEVELS]
    ends = [year_end(year) for year in years]
    if added:
        per_end = platforms_new_counts(first, ends, kinds, levels, plan.area)
    else:
        operating = platforms_operating_counts(ends, area=plan.area, kinds=kinds, levels=levels)
        per_end = {day: sum(counter.values()) for day, counter in operating.items()}
    counts = {year: per_end[day] for year, day in zip(years, ends, strict=True)}
    last = year_end(years[-1])
    if added:
        links = tuple(
            (_link_label("平台", kind, levels), platforms_new_url(first, last, kind, levels))
            for kind in kinds or [""]
        )
    else:
        links = tuple(
            (
                _link_label("平台", kind, levels),
                _trace("platforms", operating_on=last.isoformat(), kind=kind, level=level),
            )
            for kind in kinds or [""]
            for level in levels or [""]
        )
    return counts, links


def _team_counts(
    spec: dict[str, Any], plan: Plan, years: list[int], added: bool
) -> tuple[dict[int, int], tuple[tuple[str, str], ...]]:
    rows = Team.objects.filter(organization__area__in=Area.subtree_ids(plan.area.path))
    if spec.get("programmes"):
        rows = rows.filter(programme__in=spec["programmes"])
    low = plan.start_year if added else 0
    counts = rows.aggregate(
        **{
            f"y{y}": Count("pk", filter=Q(approved_year__gte=low, approved_year__lte=y))
            for y in years
        }
    )
    links = tuple(
        (f"团队：{TeamProgramme(p).label}", _trace("teams", programme=p))
        for p in spec.get("programmes") or [""]
        if p
    ) or (("团队", _trace("teams")),)
    return {y: counts[f"y{y}"] for y in years}, links


def _st_commissioner_counts(
    spec: dict[str, Any], plan: Plan, years: list[int], added: bool
) -> tuple[dict[int, int], tuple[tuple[str, str], ...]]:
    """Talents flagged 科技特派员 now: the registry keeps no dates, so only the latest year."""
    n = Talent.objects.filter(
        organization__area__in=Area.subtree_ids(plan.area.path), is_st_commissioner=True
    ).count()
    return {years[-1]: n}, (
        ("科技特派员（当前在册）", _trace("talents", is_st_commissioner="true")),
    )


def _link_label(what: str, kind: str, levels: list[str] | str) -> str:
    levels = [levels] if isinstance(levels, str) else levels
    level = "省级以上" if set(levels) == {"provincial", "national"} else ""
    if not level and len(levels) == 1 and levels[0]:
        level = PlatformLevel(levels[0]).label
    return level + (PlatformKind(kind).label if kind else what)


REGISTRY_COUNTS: dict[str, Callable[..., tuple[dict[int, int], tuple[tuple[str, str], ...]]]] = {
    "platforms": _platform_counts,
    "teams": _team_counts,
    "st_commissioners": _st_commissioner_counts,
}


def _rule(c: Commitment, plan: Plan, areas: tuple[str, ...]) -> Rule:
    tolerance = None
    if c.tolerance_absolute is not None or c.tolerance_relative is not None:
        tolerance = Tolerance(
            absolute=_float(c.tolerance_absolute),
            relative=_float(c.tolerance_relative),
            note=c.tolerance_note,
        )
    return Rule(
        comparator=c.comparator,
        measure=c.measure,
        target_year=c.target_year,
        start_year=plan.start_year,
        value=_float(c.value),
        low=_float(c.low),
        high=_float(c.high),
        tolerance=tolerance,
        has_benchmark=bool(c.benchmark) and c.value is None and c.low is None,
        areas=areas,
    )


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _commitment_areas(c: Commitment, plan: Plan, counties: list[str]) -> tuple[str, ...]:
    """The area codes an `annual` commitment applies to (city, counties or codes)."""
    codes: list[str] = []
    for name in c.areas or []:
        if name == "city":
            codes.append(plan.area.code)
        elif name == "counties":
            codes += counties
        else:
            codes.append(name)
    return tuple(codes)


def _point(obs: Observation) -> Point:
    return Point(
        area=obs.area.code,
        year=obs.year,
        value=float(obs.value),
        kind=obs.kind,
        as_of=obs.as_of,
        start_year=obs.start.year,
        ref=obs,
    )


_JUDGED_KINDS = ("actual", "preliminary", "cumulative")


def _commitment_points(plan: Plan, as_of: dt.date) -> dict[int, list[Point]]:
    """{commitment id: points} of every commitment's counted published figures, any area."""
    rows = Observation.objects.filter(
        commitment__plan=plan, as_of__lte=as_of, kind__in=_JUDGED_KINDS, state=ReviewState.OK
    ).select_related("area")
    points: dict[int, list[Point]] = defaultdict(list)
    for obs in rows:
        points[obs.commitment_id].append(_point(obs))
    return points


def _restated_points(
    plan: Plan,
    as_of: dt.date,
    years: list[int],
    indicators: list[Indicator],
    published_only: bool = False,
) -> dict[str, list[tuple[str, list[Point]]]]:
    """For each indicator a commitment restates: its published series, then (unless
    `published_only`) its registry count, both for the city ({code: [(basis label, points)]})."""
    if not indicators:
        return {}
    rows = Observation.objects.filter(
        indicator__in=indicators,
        area=plan.area,
        as_of__lte=as_of,
        kind__in=("actual", "preliminary"),
        state=ReviewState.OK,
    ).select_related("area", "indicator")
    published: dict[str, list[Point]] = defaultdict(list)
    for obs in rows:
        published[obs.indicator.code].append(_point(obs))
    result: dict[str, list[tuple[str, list[Point]]]] = {}
    for indicator in {i.code: i for i in indicators}.values():
        series = [(f"指标“{indicator.name}”发布数", published.get(indicator.code, []))]
        if indicator.computed_from and not published_only:
            computed = computed_series(indicator.computed_from, years, [plan.area])
            points = [
                Point(plan.area.code, year, c.value, "registry", year_end(year), ref=c)
                for year, c in computed.get(plan.area.code, {}).items()
                if c.value is not None and not c.incomplete
            ]
            series.append((f"指标“{indicator.name}”登记库计算值", points))
        result[indicator.code] = series
    return result


def heatmap(progress: dict[str, list[IndicatorRow]], areas: list[Area]) -> dict[str, Any]:
    """Areas × indicators completion matrix. Each cell is {"value": [x, y, completion %],
    "source": "published" | "computed" | None}: a completion from the registries fills a gap
    only visibly labelled, never passing for a published one."""
    area_rows = [a for a in areas if a.code in progress]
    indicators = [r.indicator for r in progress[area_rows[0].code]] if area_rows else []
    cells = []
    for y, area in enumerate(area_rows):
        for x, row in enumerate(progress[area.code]):
            completion = row.published.completion if row.published else None
            source = "published" if completion is not None else None
            if completion is None and row.computed is not None:
                completion = row.computed.completion
                source = "computed" if completion is not None else None
            value = None if completion is None else round(completion * 100, 1)
            cells.append({"value": [x, y, value], "source": source})
    return {
        "areas": [a.name for a in area_rows],
        "indicators": [i.name for i in indicators],
        "cells": cells,
    }


DEFAULT_PLAN = "nanyang-14"  # the plan pages and imports use when none is named


def observations_for(user: Any) -> Any:
    return Observation.objects.restrict(user, "view").select_related(
        "indicator", "commitment", "area", "entered_by", "withdrawn_by"
    )


def plan_observations(user: Any, plan: Plan) -> Any:
    """The observations of `plan` (its indicators' and its commitments') the user sees; `user`
    None is the system (the report)."""
    base = Observation.objects.all() if user is None else observations_for(user)
    return base.filter(Q(indicator__plan=plan) | Q(commitment__plan=plan))


def version_key(observation: Observation) -> dict[str, Any]:
    """What makes two observations versions of one figure: indicator or commitment, area,
    period and kind (a later as_of is a revision; another source disagreeing is a conflict)."""
    return {
        "indicator_id": observation.indicator_id,
        "commitment_id": observation.commitment_id,
        "area_id": observation.area_id,
        "period": observation.period,
        "kind": observation.kind,
    }


def subject_key(indicator_id: int | None, commitment_id: int | None) -> str:
    """ "i<pk>" for an indicator's series, "c<pk>" for a commitment's."""
    return f"i{indicator_id}" if indicator_id else f"c{commitment_id}"


def counted_values(observations: Any) -> dict[tuple[str, int, int], Decimal]:
    """{(subject key, area id, year): the counted value} of `observations` as the engine would
    choose it (`select_counted`: a 正式数 beats a 初步数, then the newest), among the figures
    that count (state 有效: not in conflict, rejected or withdrawn)."""
    rows = observations.filter(state=ReviewState.OK, kind__in=("actual", "preliminary"))
    best: dict[tuple[str, int, int], tuple[tuple[Any, ...], Decimal]] = {}
    for pk, indicator_id, commitment_id, area_id, year, kind, as_of, value in rows.values_list(
        "pk", "indicator_id", "commitment_id", "area_id", "year", "kind", "as_of", "value"
    ):
        key = (subject_key(indicator_id, commitment_id), area_id, year)
        rank = (kind == "actual", as_of, pk)
        if key not in best or rank > best[key][0]:
            best[key] = (rank, value)
    return {key: value for key, (_, value) in best.items()}


def get_plan(code: str) -> Plan | None:
    """The plan `code` whoever asks (commands, the import's plan field)."""
    return Plan.objects.filter(code=code).select_related("area").first()


def plans_for(user: Any) -> Any:
    return Plan.objects.restrict(user, "view").select_related("area")


def plan_for(user: Any, code: str | None = None) -> Plan | None:
    """The plan `code` (default: the Nanyang 14th plan, else the newest) if the user sees it;
    `user` None is the system (commands)."""
    plans = Plan.objects.select_related("area") if user is None else plans_for(user)
    if code:
        return plans.filter(code=code).first()
    return plans.filter(code=DEFAULT_PLAN).first() or plans.first()


def published_only(user: Any) -> bool:
    """Whether `user` sees plan monitoring only as published for the whole city
    (VIEW_PUBLISHED_MONITORING without VIEW_OBSERVATIONS: experts, enterprise and institution
    users): the city's row alone, from published figures, no registry counts. `user` None is
    the system (commands, the report), which sees everything."""
    return user is not None and not VIEW_OBSERVATIONS.allows(user)


def areas_for(user: Any, plan: Plan) -> list[Area]:
    """The areas a user may monitor: the plan's whole tree, a county user's own subtree, or the
    plan's city alone for a user who sees only what is published for the whole city."""
    if published_only(user):
        return [plan.area]
    return list(working_areas(user, plan.area).order_by("sort_order", "code"))


def subtree(areas: list[Area], area: Area) -> list[Area]:
    """Of `areas`, `area` and those below it."""
    return [a for a in areas if a.path.startswith(area.path)]


# --- the dashboard -----------------------------------------------------------------------------


@dataclass
class Dashboard:
    plan: Plan
    as_of: dt.date
    area: Area
    areas: list[Area]  # the selected area and its subtree (heat map, ranking)
    rows: list[IndicatorRow]  # one per indicator, for the selected area
    progress: dict[str, list[IndicatorRow]]
    commitments: list[CommitmentRow]

    @property
    def has_observations(self) -> bool:
        return any(r.published and r.published.counted for r in self.rows)

    def rankings(self) -> list[tuple[Indicator, list[Any]]]:
        return [
            (r.indicator, area_ranking(self.progress, r.indicator.code, self.areas))
            for r in self.rows
        ]

    def heatmap(self) -> dict[str, Any]:
        return heatmap(self.progress, self.areas)


def build_dashboard(
    plan: Plan, as_of: dt.date, area: Area, areas: list[Area], published_only: bool = False
) -> Dashboard:
    """Every indicator and commitment of the plan for `area` (and its subtree within `areas`);
    `published_only`: see `published_only()`."""
    scope = subtree(areas, area)
    progress = plan_progress(plan, as_of, scope, published_only=published_only)
    return Dashboard(
        plan=plan,
        as_of=as_of,
        area=area,
        areas=scope,
        rows=progress[area.code],
        progress=progress,
        commitments=commitment_progress(plan, as_of, published_only),
    )


def indicator_row(
    plan: Plan,
    as_of: dt.date,
    area: Area,
    areas: list[Area],
    code: str,
    published_only: bool = False,
) -> IndicatorRow | None:
    """One indicator of one area (the whole subtree is passed: computed values roll up)."""
    scope = subtree(areas, area)
    rows = plan_progress(plan, as_of, scope, codes=[code], published_only=published_only)
    rows = rows[area.code]
    return rows[0] if rows else None


# --- the county split of targets ---------------------------------------------------------------

# Counts the registries hold per area (intensities and ratios are not split by baseline share).
COUNTED = (ComputedFrom.HNTE_COUNT, ComputedFrom.TSME_COUNT, ComputedFrom.PLATFORMS)


def split_areas(plan: Plan) -> list[Area]:
    """The county-level areas (县市区 and functional zones) a city target is split across."""
    return list(Area.objects.filter(parent=plan.area).order_by("sort_order", "code"))


def area_targets_of(indicator: Indicator) -> dict[int, AreaTarget]:
    """{area id: AreaTarget} of an indicator."""
    return {t.area_id: t for t in AreaTarget.objects.filter(indicator=indicator)}


def suggested_baselines(indicator: Indicator, areas: list[Area]) -> dict[str, tuple[float, str]]:
    """Each area's baseline as published (正式数/初步数 of the baseline year), else as the
    registries compute it, with where it came from."""
    year = indicator.baseline_year
    out: dict[str, tuple[float, str]] = {}
    if year is None:
        return out
    if indicator.computed_from in COUNTED:  # as the bureau configured it (admin)
        series = computed_series(indicator.computed_from, [year], areas)
        for area in areas:
            point = series.get(area.code, {}).get(year)
            if point is not None:
                out[area.code] = (point.value, "登记库计算值")
    for code, value in published_latest(indicator.code, areas, year).items():
        out[code] = (value, "发布数")
    return out


def plan_indicator(plan: Plan, code: str) -> Indicator | None:
    """An indicator of the plan's target table (not an auxiliary one) by code."""
    return plan.indicators.filter(code=code, is_auxiliary=False).first()
