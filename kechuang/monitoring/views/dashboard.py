"""Pages of plan monitoring: the leadership's dashboard and the detail of one indicator.

Thin: the date and area are parsed by `filters`, every figure comes from `selectors` and is
formatted by `engine.display` and `engine.shapes`."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from kechuang.core.permissions import VIEW_PUBLISHED_MONITORING, requires
from kechuang.monitoring import selectors
from kechuang.monitoring.engine import display as dp
from kechuang.monitoring.engine import shapes
from kechuang.monitoring.filters import (
    AreaForbidden,
    ProgressInputError,
    parse_as_of,
    resolve_area,
)

OBSERVATION_NEW_URL = "/monitoring/observations/new/"


def _inputs(request: HttpRequest, plan: Any) -> tuple[Any, Any, list[Any], list[str]]:
    """As-of date, area and the user's areas from the query string; errors for the page."""
    errors: list[str] = []
    try:
        as_of = parse_as_of(request.GET.get("as_of"))
    except ProgressInputError as error:
        errors.append(str(error))
        as_of = parse_as_of(None)
    areas = selectors.areas_for(request.user, plan)
    try:
        area = resolve_area(request.user, plan, request.GET.get("area"))
    except AreaForbidden as error:
        raise PermissionDenied(str(error)) from error
    except ProgressInputError as error:
        raise Http404(str(error)) from error
    return as_of, area, areas, errors


@requires(VIEW_PUBLISHED_MONITORING)
def dashboard(request: HttpRequest) -> HttpResponse:
    # The page's content for these inputs and this viewer is kept (selectors.RECENT_ANSWERS,
    # keyed on the data version too): a repeat renders only the site frame around it.
    inputs = tuple(request.GET.get(name) for name in ("plan", "as_of", "area"))
    kept = selectors.cached_on_data(
        "dashboard-request",
        (inputs, selectors.viewer_key(request.user)),
        lambda: _body(request),
        store=selectors.RECENT_ANSWERS,
    )
    if kept is None:
        return render(request, "monitoring/dashboard.html", {"body": None})
    body, shown = kept
    return render(request, "monitoring/dashboard.html", {**shown, "body": body})


def _body(request: HttpRequest) -> tuple[str, dict[str, Any]] | None:
    """The dashboard's content as HTML, with what it shows (plan, day, area, the user's areas,
    published-only: the page's context, read by tests); None when no plan is loaded. Bad input
    raises here."""
    plan = selectors.plan_for(request.user, request.GET.get("plan"))
    if plan is None:
        return None
    as_of, area, areas, errors = _inputs(request, plan)
    published_only = selectors.published_only(request.user)
    shown = {
        "plan": plan,
        "as_of": as_of,
        "area": area,
        "areas": areas,
        "published_only": published_only,
    }
    # The HTML is kept, keyed on the data version (cached_on_data) and on all it shows: plan,
    # day, area, the user's areas, what the role may see and the input errors — shared by
    # every user who may see the same. Rendering the cards, tables and rankings cell by cell
    # cost ten times the rest of the request (bench/bench_load.py).
    parts = (plan.pk, as_of, area.pk, tuple(a.pk for a in areas), published_only, tuple(errors))
    html = selectors.cached_on_data(
        "dashboard-html",
        parts,
        lambda: render_to_string(
            "monitoring/_dashboard_body.html",
            {**_board_context(plan, as_of, area, areas, published_only), "errors": errors},
        ),
    )
    return html, shown


def _board_context(
    plan: Any, as_of: Any, area: Any, areas: list[Any], published_only: bool
) -> dict[str, Any]:
    """What `_dashboard_body.html` shows: every figure from `selectors.build_dashboard`."""
    board = selectors.build_dashboard(plan, as_of, area, areas, published_only)
    cards = [
        {
            "row": row,
            "data": shapes.indicator_dict(row),
            "show": dp.display(row),
            "colour": dp.STATUS_COLOURS[row.status],
            "computed": dp.latest_computed(row),
        }
        for row in board.rows
    ]
    commitments = [
        {"row": c, "colour": dp.COMMITMENT_COLOURS[c.status], "data": shapes.commitment_dict(c)}
        for c in board.commitments
    ]
    return {
        "plan": plan,
        "as_of": as_of,
        "area": area,
        "areas": areas,
        "cards": cards,
        "commitments": commitments,
        "natures": Counter(row.indicator.nature for row in board.rows),
        "rankings": _rankings(board),
        "has_observations": board.has_observations,
        "published_only": published_only,
        "observation_new_url": OBSERVATION_NEW_URL,
        "heatmap_height": f"{140 + 30 * len(board.areas)}px",
        "chart_data": {
            "charts": {r.indicator.code: shapes.chart_dict(r) for r in board.rows},
            "heatmap": board.heatmap(),
        },
    }


def _rankings(board: selectors.Dashboard) -> list[tuple[Any, list[dict[str, Any]]]]:
    return [
        (
            indicator,
            [
                {
                    **r,
                    "completion_text": dp.pct(r["completion"]),
                    "colour": dp.STATUS_COLOURS[r["status"]],
                }
                for r in shapes.ranking_dicts(ranks)
            ],
        )
        for indicator, ranks in board.rankings()
    ]


@requires(VIEW_PUBLISHED_MONITORING)
def indicator(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.plan_for(request.user, request.GET.get("plan"))
    if plan is None:
        raise Http404("规划尚未载入。")
    as_of, area, areas, errors = _inputs(request, plan)
    published_only = selectors.published_only(request.user)
    row = selectors.indicator_row(plan, as_of, area, areas, code, published_only)
    if row is None:
        raise Http404("未知的指标。")
    observations = (
        selectors.observations_for(request.user)
        .filter(indicator=row.indicator, area=area)
        .order_by("year", "as_of", "pk")
    )
    lines = dp.observation_lines(observations, row.published, as_of)
    return render(
        request,
        "monitoring/indicator.html",
        {
            "plan": plan,
            "as_of": as_of,
            "area": area,
            "areas": areas,
            "errors": errors,
            "row": row,
            "p": row.published,
            "data": shapes.indicator_dict(row),
            "show": dp.display(row),
            "colour": dp.STATUS_COLOURS[row.status],
            "lines": lines,
            "planned_rows": dp.planned_rows(row),
            "change_unit": dp.CHANGE_UNITS.get(
                row.published.change_method if row.published else "", ""
            ),
            "observation_new_url": OBSERVATION_NEW_URL,
            "published_only": published_only,
            "chart_data": {"charts": {row.indicator.code: shapes.chart_dict(row)}},
        },
    )
