"""The dashboard's figures in the shell:
`manage.py plan_progress --plan nanyang-14 --as-of 2024-06-30 [--area 卧龙区] --format table|json`.
JSON is exactly the API's progress endpoint."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kechuang.monitoring import selectors
from kechuang.monitoring.engine.display import fmt, pct
from kechuang.monitoring.engine.shapes import progress_dict
from kechuang.monitoring.filters import ProgressInputError, parse_as_of, resolve_area
from kechuang.monitoring.selectors import DEFAULT_PLAN

HEADERS = ("指标", "单位", "基期", "目标", "最新值（年份，类型）", "完成度", "状态", "登记库计算值")


def width(text: str) -> int:
    """Display width in a terminal: CJK and full-width characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def pad(text: str, size: int) -> str:
    return text + " " * (size - width(text))


def render_table(rows: list[tuple[str, ...]]) -> str:
    sizes = [max(width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(pad(cell, sizes[i]) for i, cell in enumerate(r)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * s for s in sizes))
    return "\n".join(lines)


def indicator_cells(d: dict[str, Any]) -> tuple[str, ...]:
    latest = d["latest"]
    computed = d["computed"]
    return (
        d["name"],
        d["unit"],
        f"{fmt(d['baseline_value'])}（{d['baseline_year']}）",
        f"{fmt(d['target_value'])}（{d['target_year']}）",
        f"{fmt(latest['value'])}（{latest['year']}，{latest['kind_label']}）" if latest else "—",
        pct(d["completion"]),
        d["status_label"],
        f"{fmt(computed['value'])}（{computed['year']}）" if computed else "—",
    )


def commitment_cells(d: dict[str, Any]) -> tuple[str, ...]:
    figure = d["figure"]
    shown = f"{fmt(figure['value'])}（{figure['basis']}）" if figure else "—"
    return (
        d["title"],
        f"{d['target_text']} {d['unit']}".strip(),
        str(d["target_year"]),
        shown,
        d["status_label"],
    )


def render(data: dict[str, Any]) -> str:
    plan = data["plan"]
    head = (
        f"{plan['title']}（{plan['document_number']}）\n"
        f"区域：{data['area']['name']}　测算日期：{data['as_of']}　"
        "（状态只由正式数、初步数决定；登记库计算值单列）"
    )
    indicators = render_table([HEADERS, *(indicator_cells(d) for d in data["indicators"])])
    warnings = [
        f"  {d['name']}：{w}" for d in data["indicators"] for w in d["warnings"] if d["warnings"]
    ]
    commitments = render_table(
        [
            ("量化承诺（全市）", "目标", "目标年", "判断依据", "状态"),
            *(commitment_cells(d) for d in data["commitments"]),
        ]
    )
    parts = [head, "", indicators]
    if warnings:
        parts += ["", "提示：", *warnings]
    parts += ["", commitments]
    return "\n".join(parts)


class Command(BaseCommand):
    help = "打印规划进度（与规划监测页面、API 同一口径）：各项指标与量化承诺的完成情况。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--plan", default=DEFAULT_PLAN, help="规划编号，默认 nanyang-14")
        parser.add_argument("--as-of", dest="as_of", help="测算日期 YYYY-MM-DD，默认今天")
        parser.add_argument("--area", help="区域名称或代码，默认规划所属城市")
        parser.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        plan = selectors.plan_for(None, options["plan"])
        if plan is None:
            raise CommandError(
                f"找不到规划“{options['plan']}”。请先运行 manage.py load_plan 载入规划。"
            )
        try:
            as_of = parse_as_of(options["as_of"])
            area = resolve_area(None, plan, options["area"])
        except ProgressInputError as error:
            raise CommandError(str(error)) from error
        areas = selectors.areas_for(None, plan)
        data = progress_dict(selectors.build_dashboard(plan, as_of, area, areas))
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render(data))
