"""The figures of plan monitoring as JSON-ready dicts, shaped once for every reader: the
API (`GET /api/monitoring/plans/{code}/progress`), `manage.py plan_progress --format json`, the
dashboard's cards and its ECharts series.

Pure Python: reads the selectors' rows (`IndicatorRow`, `CommitmentRow`, `Dashboard`) by
attribute; the arithmetic behind them is the progress engine's.
"""

from __future__ import annotations

from typing import Any

from .display import kind_label, latest_computed, number
from .plan_file import COMPARATOR_LABELS, MEASURE_LABELS, NATURE_LABELS
from .progress import STATUS_LABELS


def indicator_dict(row: Any) -> dict[str, Any]:
    """The essentials of one indicator's progress: published figures drive the status; the
    value computed from the registries is reported beside them, separately."""
    ind, target, p = row.indicator, row.target, row.published
    computed = latest_computed(row)
    forecast = p.forecast if p else None
    return {
        "code": ind.code,
        "name": ind.name,
        "unit": ind.unit,
        "kind": ind.kind,
        "direction": ind.direction,
        "growth_model": ind.growth_model,
        "nature": ind.nature,
        "nature_label": NATURE_LABELS[ind.nature],
        "baseline_year": target.baseline_year if target else ind.baseline_year,
        "baseline_value": number(target.baseline_value) if target else None,
        "target_year": target.target_year if target else ind.target_year,
        "target_value": number(target.target_value) if target else None,
        "status": row.status,
        "status_label": STATUS_LABELS[row.status],
        "status_reason": p.status_reason if p else "；".join(row.warnings),
        "latest": (
            {
                "year": p.latest_year,
                "value": p.latest_value,
                "kind": p.latest_kind,
                "kind_label": kind_label(p.latest_kind),
            }
            if p and p.latest_year is not None
            else None
        ),
        "completion": p.completion if p else None,
        "expected_value": p.expected_value if p else None,
        "expected_completion": p.expected_completion if p else None,
        "shortfall": p.shortfall if p else None,
        "achieved_mean_rate": p.achieved_mean_rate if p else None,
        "change_method": p.change_method if p else None,
        "required_annual_change": p.required_annual_change if p else None,
        "required_compound_rate": p.required_compound_rate if p else None,
        "years_counted": list(p.years_counted) if p else [],
        "years_missing": list(p.years_missing) if p else [],
        "forecast": (
            {
                "year": forecast.year,
                "value": forecast.value,
                "low": forecast.low,
                "high": forecast.high,
                "method": forecast.method,
                "points": forecast.points,
            }
            if forecast
            else None
        ),
        "forecast_meets_target": p.forecast_meets_target if p else None,
        "not_counted": len(p.not_counted) if p else 0,
        "computed": (
            {
                "source": ind.get_computed_from_display(),
                "year": computed.year,
                "value": computed.value,
                "detail": computed.detail,
                "trace_url": computed.trace_url,
                "completion": row.computed.completion if row.computed else None,
                "status": row.computed.status if row.computed else None,
                "status_label": row.computed.status_label if row.computed else None,
            }
            if computed
            else None
        ),
        "conflicts": row.conflicts,
        "warnings": list(row.warnings),
    }


def _figure_dict(figure: Any) -> dict[str, Any] | None:
    if figure is None:
        return None
    return {"value": number(figure.value), "year": figure.year, "basis": figure.basis}


def commitment_dict(row: Any) -> dict[str, Any]:
    """A commitment judged as the plan means it: the target in words (with the 左右 tolerance),
    the figure judged and how it was obtained, the figures shown beside it (the other reading,
    the registry count with links to its records), a benchmark, and for an every-year
    commitment the years and areas that failed or lack data."""
    c, obs, j = row.commitment, row.latest, row.judgement
    return {
        "code": c.code,
        "title": c.title,
        "section": c.section,
        "quote": c.quote,
        "comparator": c.comparator,
        "comparator_label": COMPARATOR_LABELS[c.comparator],
        "measure": c.measure,
        "measure_label": MEASURE_LABELS[c.measure],
        "value": number(c.value),
        "low": number(c.low),
        "high": number(c.high),
        "tolerance": (
            {
                "absolute": number(c.tolerance_absolute),
                "relative": number(c.tolerance_relative),
                "note": c.tolerance_note,
            }
            if c.tolerance_note
            else None
        ),
        "benchmark": c.benchmark,
        "benchmark_area": c.benchmark_area.name if c.benchmark_area_id else None,
        "areas": list(c.areas or []),
        "unit": c.unit,
        "target_year": c.target_year,
        "target_text": j.target_text,
        "indicator": c.indicator.code if c.indicator_id else None,
        "status": row.status,
        "status_label": row.status_label,
        "figure": _figure_dict(j.figure),
        "others": [_figure_dict(f) for f in j.others],
        "benchmark_figure": _figure_dict(j.benchmark),
        "failures": [
            {"area": row.area_name(a), "area_code": a, "year": y, "value": number(v)}
            for a, y, v in j.failures
        ],
        "missing": [{"area": row.area_name(a), "area_code": a, "year": y} for a, y in j.missing],
        "notes": list(j.notes),
        "records": [{"label": label, "url": url} for label, url in row.links],
        "latest": (
            {
                "period": obs.period,
                "year": obs.year,
                "value": number(obs.value),
                "kind": obs.kind,
                "kind_label": kind_label(obs.kind),
                "as_of": obs.as_of.isoformat(),
                "source_title": obs.source_title,
            }
            if obs
            else None
        ),
    }


def progress_dict(dashboard: Any) -> dict[str, Any]:
    """What the API's progress endpoint answers and `plan_progress --format json` prints."""
    plan = dashboard.plan
    return {
        "plan": {
            "code": plan.code,
            "title": plan.title,
            "document_number": plan.document_number,
            "start_year": plan.start_year,
            "end_year": plan.end_year,
        },
        "as_of": dashboard.as_of.isoformat(),
        "area": {"code": dashboard.area.code, "name": dashboard.area.name},
        "indicators": [indicator_dict(r) for r in dashboard.rows],
        "commitments": [commitment_dict(r) for r in dashboard.commitments],
    }


def ranking_dicts(ranks: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "rank": r.rank,
            "area": r.area,
            "completion": r.completion,
            "status": r.status,
            "status_label": STATUS_LABELS.get(r.status, r.status),
        }
        for r in ranks
    ]


# --- charts ------------------------------------------------------------------------------------


def chart_dict(row: Any) -> dict[str, Any]:
    """The series of one indicator's ECharts line chart, aligned on the years of the plan."""
    ind, p = row.indicator, row.published
    first = ind.baseline_year or (row.computed_points[0].year if row.computed_points else 2020)
    last = ind.target_year or first + 5
    years = list(range(first, last + 1))
    if row.computed_points:
        years = sorted(set(years) | {c.year for c in row.computed_points})

    def aligned(points: dict[int, float | None]) -> list[float | None]:
        return [points.get(y) for y in years]

    counted = {o.year: o.value for o in p.counted} if p else {}
    counted_kinds = {o.year: kind_label(o.kind) for o in p.counted} if p else {}
    path = {pt.year: round(pt.value, 6) for pt in p.planned_path} if p else {}
    computed = {c.year: c.value for c in row.computed_points}
    aside = [
        {"year": s.observation.year, "value": s.observation.value, "reason": s.reason}
        for s in (p.not_counted if p else ())
        if s.observation.year in years
    ]
    band_low: dict[int, float | None] = {}
    band_span: dict[int, float | None] = {}
    forecast_line: dict[int, float | None] = {}
    forecast = p.forecast if p else None
    if forecast is not None and p and p.latest_year is not None and forecast.year in years:
        forecast_line = {p.latest_year: p.latest_value, forecast.year: forecast.value}
        if forecast.low is not None and forecast.high is not None:
            for year in range(p.latest_year, forecast.year + 1):
                share = (year - p.latest_year) / max(forecast.year - p.latest_year, 1)
                low = p.latest_value + (forecast.low - p.latest_value) * share
                high = p.latest_value + (forecast.high - p.latest_value) * share
                band_low[year], band_span[year] = low, high - low
    return {
        "code": ind.code,
        "name": ind.name,
        "unit": ind.unit,
        "years": [str(y) for y in years],
        "counted": aligned(counted),
        "counted_kinds": [counted_kinds.get(y, "") for y in years],
        "path": aligned(path),
        "computed": aligned(computed),
        "computed_label": ind.get_computed_from_display() if row.computed_points else "",
        "not_counted": aside,
        "forecast": aligned(forecast_line),
        "forecast_low": aligned(band_low),
        "forecast_span": aligned(band_span),
        "forecast_interval": (
            [forecast.low, forecast.high]
            if forecast and forecast.low is not None and forecast.high is not None
            else None
        ),
        "target": number(row.target.target_value) if row.target else None,
    }
