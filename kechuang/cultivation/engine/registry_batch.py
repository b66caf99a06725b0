"""The batch screening from the registry's rows as columns (pure: numpy, no Django).

The same answers as :func:`.batch.screen` on the cases :func:`.registry_case.case_from_reports`
builds, without building and validating a case per enterprise: the selectors read the last
three confirmed reports of every enterprise into ``(n, 3)`` float arrays (:class:`Columns`),
the rows whose figures the case reader and both engines accept as they are ("clean": every
check of ``case_loader``, ``hnte_2016.check_case``, ``tsme_2022.check_case`` and
``vector.figures_from_cases`` done on whole columns) go straight into the vector engine's
column store, and only the others take the single-case path, which words their problems.
``tests/test_registry_batch.py`` compares both paths on generated registry rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

import numpy as np

from .batch import (
    COMPLETE,
    METRIC_YEAR_FIELDS,
    NO_DATA,
    Apart,
    Screened,
    finish,
    parse_case,
    scalar_columns,
    screen_rules,
    vectorisable,
)
from .case import OTHER_FIELD, TECH_FIELDS, Case, IPHoldings, YearFigures
from .metrics import compute_metrics
from .registry_case import CASE_YEAR_FIELDS, REPORT_FIELDS, WINDOW, case_from_reports
from .tiers import ReservePolicySpec, TierRuleSpec
from .vector import AMOUNT_LIMIT, SCALE, FigureArrays
from .vector import CASE_YEAR_FIELDS as VECTOR_FIELDS

INTEGER_FIELDS = ("ip_class_i_held", "ip_class_ii_held", "tech_conversions")
SIGNED = ("net_assets_end",)
# part ≤ whole (case_loader._check_parts)
PARTS = (
    ("rd_expense_domestic", "rd_expense"),
    ("hightech_revenue", "total_revenue"),
    ("st_staff_avg", "employees_avg"),
)
REQUIRED_EVERY_YEAR = (
    "sales_revenue",  # case_loader.REQUIRED_YEAR_FIELDS
    "rd_expense",
    "employees_avg",  # case_loader._check_headcounts (no monthly data in the registry)
    "st_staff_avg",
    "rd_expense_domestic",  # hnte_2016.check_case, every year of the window
    "net_assets_end",
)
REQUIRED_LAST_YEAR = ("total_revenue", "hightech_revenue", "total_assets_end")
KNOWN_FIELDS = frozenset((*TECH_FIELDS, OTHER_FIELD))


@dataclass(frozen=True)
class Columns:
    """What the registry holds for the enterprises screened on ``as_of``: per enterprise
    (``n``, in ``org_ids`` order) its registration date and technical field, the number of its
    last confirmed reports before ``as_of``'s year (0–3), their years and figures right-aligned
    in ``(n, 3)`` arrays (column 2 the latest; NaN where not reported), the qualification kinds
    held on ``as_of`` and the hosts of an operating R&D platform."""

    as_of: dt.date
    org_ids: list[int]
    founded_on: list[dt.date | None]
    tech_field: list[str | None]
    n_reports: np.ndarray
    years: np.ndarray
    figures: dict[str, np.ndarray]
    held: dict[int, set[str]]
    rd_platform_hosts: set[int]
    founded: np.ndarray = field(init=False)  # founded_on as datetime64[D], NaT when unknown

    def __post_init__(self) -> None:
        founded = np.array(self.founded_on, dtype="datetime64[D]")  # None → NaT
        object.__setattr__(self, "founded", founded)


def columns_from_rows(
    as_of: dt.date,
    organizations: list[tuple[int, dt.date | None, str | None]],
    rows: np.ndarray,
    held: dict[int, set[str]],
    rd_platform_hosts: set[int],
) -> Columns:
    """:class:`Columns` from the organizations (pk, founded_on, technical field) and their
    report rows ``(m, 2 + len(REPORT_FIELDS))`` float: organization id, year, REPORT_FIELDS,
    in any order (one per organization and year); the last WINDOW years of each are kept."""
    org_ids = [pk for pk, _, _ in organizations]
    n = len(org_ids)
    years = np.zeros((n, WINDOW), dtype=np.int64)
    figures = {name: np.full((n, WINDOW), np.nan) for name in REPORT_FIELDS}
    n_reports = np.zeros(n, dtype=np.int64)
    if len(rows):
        rows = _by_organization_and_year(rows)
        ids = np.asarray(org_ids, dtype=np.int64)
        order = np.argsort(ids, kind="stable")
        row_org = rows[:, 0].astype(np.int64)
        position = order[np.searchsorted(ids[order], row_org)]
        ends = np.flatnonzero(np.r_[row_org[1:] != row_org[:-1], True])  # last row of each
        # rank from the newest (0) back, within each organization's rows
        rank = np.repeat(ends, np.diff(np.r_[-1, ends])) - np.arange(len(rows))
        kept = rank < WINDOW
        target, column = position[kept], WINDOW - 1 - rank[kept]
        years[target, column] = rows[kept, 1].astype(np.int64)
        for k, name in enumerate(REPORT_FIELDS):
            figures[name][target, column] = rows[kept, 2 + k]
        np.add.at(n_reports, target, 1)
    return Columns(
        as_of=as_of,
        org_ids=org_ids,
        founded_on=[f for _, f, _ in organizations],
        tech_field=[t for _, _, t in organizations],
        n_reports=n_reports,
        years=years,
        figures=figures,
        held=held,
        rd_platform_hosts=rd_platform_hosts,
    )


def _by_organization_and_year(rows: np.ndarray) -> np.ndarray:
    """The report rows in (organization, year) order: as they are when they come so (SQLite
    reads them in its key's order), else sorted here (PostgreSQL hashes the join when not
    asked for an order, which costs less than its sort)."""
    org, year = rows[:, 0], rows[:, 1]
    step_org, step_year = np.diff(org), np.diff(year)
    if np.all((step_org > 0) | ((step_org == 0) & (step_year > 0))):
        return rows
    return rows[np.lexsort((year, org))]


def _valid(data: Columns) -> np.ndarray:
    """(n, 3) True on the columns holding a report."""
    return np.arange(WINDOW)[None, :] >= (WINDOW - data.n_reports)[:, None]


def _founded(data: Columns) -> np.ndarray:
    return data.founded


def _scaled(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values × 100 as int64 with 0 for NaN, True where that is exact and within the vector
    path's range): a float read from a two-place decimal is k/100 exactly when k/100 gives it
    back."""
    with np.errstate(invalid="ignore", over="ignore"):
        k = np.round(values * SCALE)
        ok = np.isnan(values) | (
            np.isfinite(values) & (np.abs(k) < AMOUNT_LIMIT) & (k / SCALE == values)
        )
    return np.where(ok & ~np.isnan(values), k, 0).astype(np.int64), ok


def clean_rows(data: Columns) -> np.ndarray:
    """(n,) True for the enterprises with reports whose case every reader and engine accepts
    as it is, so that the vector path alone gives its results."""
    valid = _valid(data)
    last = WINDOW - 1
    first = WINDOW - np.maximum(data.n_reports, 1)
    rows = np.arange(len(data.org_ids))
    founded = _founded(data)
    founded_year = founded.astype("datetime64[Y]").astype(np.int64) + 1970
    ok = (data.n_reports > 0) & ~np.isnat(founded)
    ok &= founded <= np.datetime64(data.as_of, "D")
    ok &= np.array([t is None or t == "" or t in KNOWN_FIELDS for t in data.tech_field])
    years = data.years
    ok &= np.where(valid, years >= 1949, True).all(axis=1)
    steps = valid[:, 1:] & valid[:, :-1]
    ok &= np.where(steps, years[:, 1:] == years[:, :-1] + 1, True).all(axis=1)
    ok &= years[:, last] < data.as_of.year
    first_year = years[rows, first]
    ok &= first_year >= founded_year
    # hnte_2016.check_case: fewer than three years only when founded in the first of them
    ok &= (data.n_reports >= WINDOW) | (first_year <= founded_year)
    ok &= _figures_clean(data, valid)
    return ok


def _figures_clean(data: Columns, valid: np.ndarray) -> np.ndarray:
    """The figures' checks: given where required, finite, not negative (but net assets),
    parts within their wholes, whole IP counts, two places within the vector path's range."""
    f = data.figures
    ok = np.ones(len(data.org_ids), dtype=bool)
    with np.errstate(invalid="ignore"):
        for name in CASE_YEAR_FIELDS:
            values = np.where(valid, f[name], np.nan)
            finite = np.isnan(values) | np.isfinite(values)
            if name not in SIGNED:
                finite &= np.isnan(values) | (values >= 0)
            ok &= finite.all(axis=1) & _scaled(values)[1].all(axis=1)
        for name in REQUIRED_EVERY_YEAR:
            ok &= np.where(valid, ~np.isnan(f[name]), True).all(axis=1)
        for name in REQUIRED_LAST_YEAR:
            ok &= ~np.isnan(f[name][:, WINDOW - 1])
        for part, whole in PARTS:
            over = valid & (f[part] > f[whole])  # False where either is NaN
            ok &= ~over.any(axis=1)
        for name in INTEGER_FIELDS:
            values = np.where(valid, f[name], np.nan)
            whole = np.isnan(values) | ((values >= 0) & (values == np.floor(values)))
            ok &= whole.all(axis=1)
    return ok


def _ip_counts(data: Columns) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ⅰ/Ⅱ-class IP of the latest report (0 when not reported) and the conversions summed."""
    last = WINDOW - 1
    class_i = np.nan_to_num(data.figures["ip_class_i_held"][:, last]).astype(np.int64)
    class_ii = np.nan_to_num(data.figures["ip_class_ii_held"][:, last]).astype(np.int64)
    valid = _valid(data)
    conversions = np.where(valid, np.nan_to_num(data.figures["tech_conversions"]), 0)
    return class_i, class_ii, conversions.sum(axis=1).astype(np.int64)


def figures_from_columns(data: Columns, rows: np.ndarray) -> FigureArrays:
    """The vector engine's column store of the clean rows ``rows`` (as figures_from_cases
    builds it from their cases: defaults for every fact the registry does not hold)."""
    n = len(rows)
    valid = _valid(data)[rows]
    columns = {
        name: np.where(valid, _scaled(data.figures[source][rows])[0], 0)
        for name, source in VECTOR_FIELDS.items()
    }
    class_i, class_ii, conversions = _ip_counts(data)
    tech = np.array(
        [0 if not t else (1 if t in TECH_FIELDS else 2) for t in data.tech_field], dtype=np.int8
    )
    has_hnte = np.array(["HNTE" in data.held.get(pk, ()) for pk in data.org_ids], dtype=bool)
    zeros, no = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    ungraded = np.full(n, -1, dtype=np.int8)
    return FigureArrays(
        as_of=data.as_of,
        n_years=data.n_reports[rows].astype(np.int8),
        **columns,
        registered_on=_founded(data)[rows],
        tech_field=tech[rows],
        class_i=class_i[rows],
        class_ii=class_ii[rows],
        class_ii_used_before=zeros,
        self_developed=ungraded.copy(),
        standards_drafted=no,
        conversions_3y=conversions[rows],
        advancement=ungraded.copy(),
        core_support=ungraded.copy(),
        rd_management_points=ungraded.copy(),
        major_incident=no,
        has_hnte=has_hnte[rows],
        national_award_recent=no,
        provincial_rd_institution=no,
        resident_enterprise=np.ones(n, dtype=bool),
        industry_restricted=no,
        listed_abnormal_or_dishonest=no,
        led_standard_last_5y=no,
        conversion_divisor_three=no,
        short_history_zero=no,
        tsme_rd_option=np.zeros(n, dtype=np.int8),
    )


def concat_figures(parts: list[FigureArrays]) -> FigureArrays | None:
    """One column store of several (same ``as_of``), rows in order."""
    parts = [p for p in parts if p is not None and len(p)]
    if not parts:
        return None
    columns = {
        item.name: np.concatenate([getattr(p, item.name) for p in parts])
        for item in fields(FigureArrays)
        if item.name not in ("as_of", "extra")
    }
    return FigureArrays(as_of=parts[0].as_of, **columns)


def _decimal(value: float) -> Decimal | None:
    """What the case reader makes of the float the registry gave (None: not reported)."""
    return None if np.isnan(value) else Decimal(repr(float(value)))


def case_of_row(data: Columns, i: int) -> Case:
    """The case of the clean row ``i``, as load_case builds it from case_from_reports' dict."""
    valid = range(WINDOW - int(data.n_reports[i]), WINDOW)
    years = tuple(
        YearFigures(
            year=int(data.years[i, j]),
            **{name: _decimal(data.figures[name][i, j]) for name in CASE_YEAR_FIELDS},
        )
        for j in valid
    )
    latest = {name: data.figures[name][i, WINDOW - 1] for name in INTEGER_FIELDS}
    class_i, class_ii = (
        0 if np.isnan(latest[name]) else int(latest[name]) for name in INTEGER_FIELDS[:2]
    )
    conversions = int(np.nansum(data.figures["tech_conversions"][i, valid.start :]))
    held = data.held.get(data.org_ids[i], ())
    founded = data.founded_on[i]
    assert founded is not None  # a clean row
    return Case(
        as_of=data.as_of,
        registered_on=founded,
        years=years,
        tech_field=data.tech_field[i] or None,
        ip=IPHoldings(class_i=class_i, class_ii=class_ii),
        conversions_3y=conversions,
        qualifications=tuple(sorted({k for k in held if k in ("HNTE", "TSME")})),
    )


def reports_of_row(data: Columns, i: int) -> list[dict[str, Any]]:
    """The report rows of row ``i`` as the selectors' dicts (oldest first)."""
    out = []
    for j in range(WINDOW - int(data.n_reports[i]), WINDOW):
        row: dict[str, Any] = {"year": int(data.years[i, j])}
        for name in REPORT_FIELDS:
            value = data.figures[name][i, j]
            if np.isnan(value):
                row[name] = None
            else:
                row[name] = int(value) if name in INTEGER_FIELDS else float(value)
        out.append(row)
    return out


def _case_dict(data: Columns, i: int) -> dict[str, Any]:
    pk = data.org_ids[i]
    return case_from_reports(
        as_of=data.as_of,
        founded_on=data.founded_on[i],
        tech_field=data.tech_field[i],
        reports=reports_of_row(data, i),
        qualifications=data.held.get(pk, ()),
    )


def screen_columns(
    data: Columns,
    policy: ReservePolicySpec,
    rule_sets: list[TierRuleSpec],
    apart: Apart | None = None,
) -> Screened:
    """:func:`.batch.screen` of the same enterprises, from columns (the gaps computed by
    ``apart`` when given: :meth:`Screened.settle` waits for them)."""
    org_ids = data.org_ids
    out = Screened(as_of=data.as_of, org_ids=org_ids, held=data.held)
    latest = data.years[:, WINDOW - 1].tolist()
    has_data = data.n_reports > 0
    for i, pk in enumerate(org_ids):
        out.latest_year[pk] = latest[i] if has_data[i] else None
        if not has_data[i]:
            out.data_status[pk] = NO_DATA
    clean = clean_rows(data)
    clean_index = np.flatnonzero(clean)
    for i in clean_index.tolist():
        out.data_status[org_ids[i]] = COMPLETE
    others: dict[int, Case] = {}
    for i in np.flatnonzero(has_data & ~clean).tolist():
        case = parse_case(org_ids[i], _case_dict(data, i), out)
        if case is not None:
            others[i] = case
    other_figures, other_rows = vectorisable(org_ids, list(others), list(others.values()), out)
    figures = concat_figures([figures_from_columns(data, clean_index), other_figures])
    complete = clean_index.tolist() + other_rows

    def case_of(i: int) -> Case:
        return others[i] if i in others else case_of_row(data, i)

    screen_rules(figures, complete, case_of, out, apart)
    metrics = compute_metrics(
        {name: data.figures[name] for name in METRIC_YEAR_FIELDS}, _scalars(data, out)
    )
    finish(out, metrics, policy, rule_sets)
    return out


def _scalars(data: Columns, out: Screened) -> dict[str, np.ndarray]:
    """batch._scalars from columns (the same dictionary, :func:`.batch.scalar_columns`)."""
    founded = _founded(data)
    days = (np.datetime64(data.as_of, "D") - founded).astype("timedelta64[D]")
    ages = np.where(np.isnat(founded), np.nan, days.astype(np.int64) / 365.25)
    last = WINDOW - 1
    main, sales = data.figures["main_revenue"][:, last], data.figures["sales_revenue"][:, last]
    share = np.full(len(data.org_ids), np.nan)
    given = ~np.isnan(main) & ~np.isnan(sales) & (sales != 0)
    share[given] = main[given] * 100 / sales[given]
    class_i, class_ii, _ = _ip_counts(data)
    return scalar_columns(
        out,
        data.rd_platform_hosts,
        main_business_share=share,
        age_years=ages,
        class_i_ip=class_i.astype(float),
        class_ii_ip=class_ii.astype(float),
    )
