"""Batch screening of many enterprises on one base date (pure: no Django).

From the cases and report rows the selectors read: each enterprise's data status, the
vectorised HNTE (hnte-2016) and TSME (tsme-2022) screening, the single-case gaps of those close
to HNTE, the tier metrics, the reserve tier by the policy and the tier rule set results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import numpy as np

from . import hnte_2016, tsme_2022
from .case_loader import load_case
from .hnte_2016_gaps import ScoreSearch, collect_failed
from .hnte_2016_rules import PASS_MARK
from .metrics import compute_metrics
from .reader import CaseError
from .tiers import ReservePolicySpec, TierRuleSpec, assign_reserve_tiers, evaluate_rule_sets
from .vector import (
    FigureArrays,
    VectorInputError,
    figures_from_cases,
    hnte_scores,
    screen_hnte,
    screen_tsme,
    take_rows,
)

# Data status of an enterprise's figures (the values of the model's DataStatus choices).
COMPLETE, INCOMPLETE, NO_DATA = "complete", "incomplete", "no_data"
HNTE_CONDITION_LABELS = {
    "hnte.c1.registration": "注册满一年",
    "hnte.c2.ip_ownership": "知识产权",
    "hnte.c3.tech_field": "技术领域",
    "hnte.c4.st_staff_ratio": "科技人员占比",
    "hnte.c5.rd_ratio": "研发费用占比",
    "hnte.c5.rd_domestic_share": "境内研发费用占比",
    "hnte.c6.hightech_revenue_share": "高新收入占比",
    "hnte.c7.innovation_score": "创新能力评分",
    "hnte.c8.no_major_incident": "无重大事故",
}
GAP_MAX_FAILED = 2  # gaps are stored for enterprises failing at most this many HNTE conditions
# Computing the gaps elsewhere (another process: see kechuang.core.parallel) pays from this many.
APART_MIN = 1000
# Starts a computation elsewhere and returns the function that waits for its result.
Apart = Callable[[Callable[[], Any]], Callable[[], Any]]
# The report figures the tier metrics (engine/metrics.py) are derived from.
METRIC_YEAR_FIELDS = (
    "sales_revenue",
    "total_revenue",
    "rd_expense",
    "cost_expense_total",
    "net_assets_end",
    "total_assets_end",
    "employees_avg",
    "st_staff_avg",
)


@dataclass
class Screened:
    """What :func:`screen` found for each organization (keyed by organization id)."""

    as_of: dt.date
    org_ids: list[int]
    data_status: dict[int, str] = field(default_factory=dict)
    missing: dict[int, list[str]] = field(default_factory=dict)
    latest_year: dict[int, int | None] = field(default_factory=dict)
    held: dict[int, set[str]] = field(default_factory=dict)
    hnte: dict[str, np.ndarray] = field(default_factory=dict)  # per org index
    tsme: dict[str, np.ndarray] = field(default_factory=dict)
    failed: list[list[str]] = field(default_factory=list)
    gaps: dict[int, list[str]] = field(default_factory=dict)
    tier: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    tier_codes: tuple[str, ...] = ()
    rule_sets: dict[str, np.ndarray] = field(default_factory=dict)
    # gaps being computed apart (:func:`screen_rules`' ``apart``): :meth:`settle` adds them
    pending_gaps: Callable[[], dict[int, list[str]]] | None = None

    def settle(self) -> Screened:
        """Wait for the gaps computed apart, if any, and add them to :attr:`gaps`."""
        if self.pending_gaps is not None:
            self.gaps.update(self.pending_gaps())
            self.pending_gaps = None
        return self


def _case_errors(error: CaseError) -> list[str]:
    return [f"{k}：{m}" if k else m for k, ms in error.errors.items() for m in ms][:5]


@dataclass(frozen=True)
class BatchInput:
    """What the registry holds for the enterprises screened on ``as_of`` (keyed by
    organization id): their cases (engine format), the confirmed report rows the cases were
    built from (oldest first), the qualification kinds held on ``as_of``, and the hosts of an
    operating R&D platform approved by then."""

    as_of: dt.date
    cases: dict[int, dict[str, Any]]
    reports: dict[int, list[dict]]
    held: dict[int, set[str]]
    rd_platform_hosts: set[int]


def screen(data: BatchInput, policy: ReservePolicySpec, rule_sets: list[TierRuleSpec]) -> Screened:
    """Screen every enterprise of ``data``: HNTE, TSME, gaps, reserve tier, tier rule sets."""
    org_ids = list(data.cases)
    out = Screened(as_of=data.as_of, org_ids=org_ids, held=data.held)
    complete, parsed = _parse_cases(data, out)
    parsed_by_row = dict(zip(complete, parsed, strict=True))
    figures, complete = vectorisable(org_ids, complete, parsed, out)
    screen_rules(figures, complete, parsed_by_row.__getitem__, out)
    metrics = compute_metrics(_year_arrays(org_ids, data.reports), _scalars(data, out))
    finish(out, metrics, policy, rule_sets)
    return out


def finish(
    out: Screened,
    metrics: dict[str, np.ndarray],
    policy: ReservePolicySpec,
    rule_sets: list[TierRuleSpec],
) -> None:
    """The reserve tier by the policy and the tier rule sets' results, from the metrics."""
    out.tier = assign_reserve_tiers(policy, metrics)
    out.tier_codes = tuple(t.code for t in policy.tiers)
    out.rule_sets = evaluate_rule_sets(rule_sets, metrics, out.as_of)


def _parse_cases(data: BatchInput, out: Screened) -> tuple[list[int], list[Any]]:
    """The data status of each enterprise; the row indexes and parsed cases of the complete
    ones (both engines accept the case)."""
    complete: list[int] = []
    parsed = []
    for i, pk in enumerate(out.org_ids):
        rows = data.reports.get(pk, [])
        out.latest_year[pk] = rows[-1]["year"] if rows else None
        if not rows:
            out.data_status[pk] = NO_DATA
            continue
        case = parse_case(pk, data.cases[pk], out)
        if case is not None:
            complete.append(i)
            parsed.append(case)
    return complete, parsed


def parse_case(pk: int, data: dict[str, Any], out: Screened) -> Any:
    """The parsed case when both engines accept it (data status complete), else None with the
    data status incomplete and the reasons."""
    try:
        case = load_case(data)
        hnte_2016.check_case(case)
        tsme_2022.check_case(case)
    except CaseError as error:
        out.data_status[pk] = INCOMPLETE
        out.missing[pk] = _case_errors(error)
        return None
    out.data_status[pk] = COMPLETE
    return case


def screen_rules(
    figures: FigureArrays | None,
    complete: list[int],
    case_of: Callable[[int], Any],
    out: Screened,
    apart: Apart | None = None,
) -> None:
    """HNTE and TSME (vectorised) for the complete cases, NaN for the others; the failed HNTE
    conditions per row and the gaps of those close to HNTE (computed by ``apart`` when given
    and there are at least APART_MIN: ``out.settle()`` adds them)."""
    n = len(out.org_ids)
    nan = np.full(n, np.nan)
    hnte_eligible, tsme_eligible = nan.copy(), nan.copy()
    hnte_min, hnte_max, tsme_min, tsme_max, failed_n = (nan.copy() for _ in range(5))
    none: list[str] = []  # shared by the rows without a verdict: read, never changed
    out.failed = [none] * n
    if figures is not None:
        h, t = screen_hnte(figures), screen_tsme(figures)
        index = np.array(complete)
        hnte_eligible[index] = h.eligible
        tsme_eligible[index] = t.eligible
        hnte_min[index], hnte_max[index] = h.total_min, h.total_max
        tsme_min[index], tsme_max[index] = t.total_min, t.total_max
        verdicts = np.stack(list(h.conditions.values()))  # (conditions, rows)
        failed_n[index] = (verdicts == 0).sum(axis=0)
        _failed_codes(list(h.conditions), verdicts, complete, out)
        _close_gaps(figures, complete, case_of, failed_n, out, apart)
    out.hnte = {"eligible": hnte_eligible, "min": hnte_min, "max": hnte_max, "failed": failed_n}
    out.tsme = {"eligible": tsme_eligible, "min": tsme_min, "max": tsme_max}


def _failed_codes(
    codes: list[str], verdicts: np.ndarray, complete: list[int], out: Screened
) -> None:
    """The codes of the failed conditions per row: each row's pattern of failures as bits, the
    list built once per distinct pattern (a few dozen) and copied to its rows."""
    bits = ((verdicts == 0).astype(np.int64) << np.arange(len(codes))[:, None]).sum(axis=0)
    patterns = {
        int(b): [code for c, code in enumerate(codes) if int(b) >> c & 1] for b in np.unique(bits)
    }
    for i, b in zip(complete, bits.tolist(), strict=True):
        out.failed[i] = patterns[b]  # shared by the rows of the pattern: read, never changed


def _close_gaps(
    figures: FigureArrays,
    rows: list[int],
    case_of: Callable[[int], Any],
    failed: np.ndarray,
    out: Screened,
    apart: Apart | None = None,
) -> None:
    """The HNTE gaps, in the user's units, of the enterprises close to HNTE (at most
    GAP_MAX_FAILED conditions failing, not holding it yet): the single-case engine's own gap
    builders (hnte_2016_gaps.collect_failed), fed with the vector engine's failed conditions
    and its column-wise search of the score levers (:func:`score_searches`), so the list says
    exactly what the single-case assessment says, without re-scoring case by case."""
    chosen = [
        (row, i)
        for row, i in enumerate(rows)
        if 0 < failed[i] <= GAP_MAX_FAILED and "HNTE" not in out.held.get(out.org_ids[i], ())
    ]
    if not chosen:
        return

    def compute() -> dict[int, list[str]]:
        searches = score_searches(figures, np.array([row for row, _ in chosen]))
        gaps = {}
        for (_, i), search in zip(chosen, searches, strict=True):
            found = collect_failed(case_of(i), set(out.failed[i]), "min", search)
            gaps[out.org_ids[i]] = [gap.message_zh for gap in found]
        return gaps

    if apart is not None and len(chosen) >= APART_MIN:
        out.pending_gaps = apart(compute)
    else:
        out.gaps.update(compute())


CLASS_II_SEARCH = 10  # hnte_2016_gaps.score_gaps: up to 10 Ⅱ类 rights


def score_searches(figures: FigureArrays, rows: np.ndarray) -> list[ScoreSearch]:
    """hnte_2016_gaps.search_score (point policy ``min``) for the figure rows ``rows``, a
    whole column at a time: the total's minimum, and each lever's smallest change that lifts
    it above 70 (one Ⅰ类 right; 1–10 Ⅱ类 rights; 1–5 × divisor conversions)."""
    sub = take_rows(figures, rows)
    total = hnte_scores(sub)[0]

    def passes(**changed: np.ndarray) -> np.ndarray:
        return hnte_scores(replace(sub, **changed))[0] > PASS_MARK

    class_i = (sub.class_i == 0) & passes(class_i=sub.class_i + 1)
    class_ii = _smallest_change(CLASS_II_SEARCH, lambda k: passes(class_ii=sub.class_ii + k))
    divisor = np.where(sub.conversion_divisor_three, 3, sub.n_years.astype(np.int64))
    limit = 5 * divisor
    conversions = _smallest_change(
        int(limit.max()),
        lambda c: passes(conversions_3y=sub.conversions_3y + c) & (c <= limit),
    )
    return [
        ScoreSearch(
            total=Decimal(int(total[j])),
            class_i_passes=bool(class_i[j]),
            class_ii=int(class_ii[j]) or None,
            conversions=int(conversions[j]) or None,
        )
        for j in range(len(rows))
    ]


def _smallest_change(limit: int, passes: Callable[[int], np.ndarray]) -> np.ndarray:
    """Per row, the smallest k in 1..limit with passes(k) true there, 0 where none is."""
    found: np.ndarray | None = None
    for k in range(limit, 0, -1):  # from the largest down, so the smallest wins
        ok = passes(k)
        if found is None:
            found = np.zeros(len(ok), dtype=np.int64)
        found[ok] = k
    assert found is not None
    return found


def vectorisable(
    org_ids: list[int], complete: list[int], parsed: list[Any], out: Screened
) -> tuple[FigureArrays | None, list[int]]:
    """The column store of the cases the vector path can represent exactly, and their row
    indexes; any other case (e.g. an amount beyond 10¹³ 万元) is reported as incomplete with the
    reason instead of failing the whole run."""
    if not parsed:
        return None, []
    try:
        return figures_from_cases(parsed), complete
    except VectorInputError:
        pass
    kept_index, kept_cases = [], []
    for i, case in zip(complete, parsed, strict=True):
        try:
            figures_from_cases([case])
        except VectorInputError as error:
            pk = org_ids[i]
            out.data_status[pk] = INCOMPLETE
            out.missing[pk] = [str(error).removeprefix("案例 0：")]
            continue
        kept_index.append(i)
        kept_cases.append(case)
    return (figures_from_cases(kept_cases) if kept_cases else None), kept_index


def _year_arrays(org_ids: list[int], reports: dict[int, list[dict]]) -> dict[str, np.ndarray]:
    """Report figures right-aligned in (n, 3) float arrays (NaN where missing)."""
    n = len(org_ids)
    arrays = {name: np.full((n, 3), np.nan) for name in METRIC_YEAR_FIELDS}
    for i, pk in enumerate(org_ids):
        rows = reports.get(pk, [])
        for j, row in enumerate(rows, start=3 - len(rows)):
            for name in METRIC_YEAR_FIELDS:
                if row[name] is not None:
                    arrays[name][i, j] = float(row[name])
    return arrays


def _main_business_share(org_ids: list[int], reports: dict[int, list[dict]]) -> np.ndarray:
    """主营业务收入 / 销售收入（营业收入）of the latest report, in %; NaN when not reported."""
    out = np.full(len(org_ids), np.nan)
    for i, pk in enumerate(org_ids):
        rows = reports.get(pk)
        if rows and rows[-1]["main_revenue"] is not None and rows[-1]["sales_revenue"]:
            out[i] = float(rows[-1]["main_revenue"]) * 100 / float(rows[-1]["sales_revenue"])
    return out


def _scalars(data: BatchInput, out: Screened) -> dict[str, np.ndarray]:
    """The per-enterprise inputs of the tier metrics (engine/metrics.py), from the cases."""
    org_ids, cases, as_of = out.org_ids, data.cases, data.as_of
    ages = []
    for pk in org_ids:
        registered = cases[pk]["registered_on"]
        ages.append(
            (as_of - dt.date.fromisoformat(registered)).days / 365.25 if registered else np.nan
        )
    return scalar_columns(
        out,
        data.rd_platform_hosts,
        main_business_share=_main_business_share(org_ids, data.reports),
        age_years=np.array(ages, dtype=float),
        class_i_ip=np.array([float(cases[pk]["ip"]["class_i"]) for pk in org_ids]),
        class_ii_ip=np.array([float(cases[pk]["ip"]["class_ii"]) for pk in org_ids]),
    )


# The qualification kinds the tier metrics read as 0/1 flags (metric name → kind).
HELD_FLAGS = {
    "is_hnte": "HNTE",
    "is_tsme": "TSME",
    "holds_gazelle": "gazelle",
    "holds_innovation_leader": "innovation_leader",
    "holds_eaglet": "eaglet",
    "holds_srdi": "srdi",
    "holds_innovative_sme": "innovative_sme",
}


def scalar_columns(
    out: Screened,
    rd_platform_hosts: set[int],
    *,
    main_business_share: np.ndarray,
    age_years: np.ndarray,
    class_i_ip: np.ndarray,
    class_ii_ip: np.ndarray,
) -> dict[str, np.ndarray]:
    """The per-enterprise scalar inputs of the tier metrics (engine/metrics.py): the
    qualifications held, the R&D platform, the HNTE/TSME results of ``out`` and the given
    columns (the one dictionary both the case path and the column path hand to
    :func:`.metrics.compute_metrics`)."""
    org_ids = out.org_ids
    row_of = {pk: i for i, pk in enumerate(org_ids)}
    flags = {name: np.zeros(len(org_ids)) for name in HELD_FLAGS}
    name_of = {kind: name for name, kind in HELD_FLAGS.items()}
    for pk, kinds in out.held.items():
        i = row_of.get(pk)
        if i is None:
            continue
        for kind in kinds:
            if kind in name_of:
                flags[name_of[kind]][i] = 1.0
    platforms = np.zeros(len(org_ids))
    platforms[[row_of[pk] for pk in rd_platform_hosts if pk in row_of]] = 1.0
    return {
        **flags,
        "main_business_share_last": main_business_share,
        "rd_platform_municipal": platforms,
        "hnte_eligible": out.hnte["eligible"],
        "tsme_eligible": out.tsme["eligible"],
        "hnte_failed_conditions": out.hnte["failed"],
        "hnte_total_min": out.hnte["min"],
        "hnte_total_max": out.hnte["max"],
        "tsme_total_min": out.tsme["min"],
        "tsme_total_max": out.tsme["max"],
        "age_years": age_years,
        "class_i_ip": class_i_ip,
        "class_ii_ip": class_ii_ip,
    }
