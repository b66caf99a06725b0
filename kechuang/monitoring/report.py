"""The Word monitoring report (规划实施情况监测报告) of a plan for one year.

Built from the monitoring selectors only (`plan_progress`, `commitment_progress`, `area_ranking`)
as known on 31 December of the year (or today, if earlier): a summary, the table of every
indicator and every commitment with its status, each indicator's trajectory, the areas lagging
behind, data-quality notes and the sources. Each indicator's trajectory is a chart (PNG drawn by
kechuang/monitoring/charts.py with matplotlib) followed by its table and a text sparkline; the
tables stay readable (and searchable) in Word, WPS and LibreOffice.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

from kechuang.core.docx_style import fit_table, set_cjk_fonts
from kechuang.monitoring.charts import indicator_chart
from kechuang.monitoring.engine.observations import OBSERVATION_KINDS
from kechuang.monitoring.engine.paths import planned_path
from kechuang.monitoring.engine.progress import STATUS_LABELS
from kechuang.monitoring.models import NOT_COUNTED_STATES, Commitment, Plan, ReviewState
from kechuang.monitoring.selectors import (
    CommitmentRow,
    IndicatorRow,
    area_ranking,
    commitment_progress,
    plan_observations,
    plan_progress,
)
from kechuang.registry.models import Area

SPARKS = "▁▂▃▄▅▆▇█"
LAGGING = ("behind", "critical")
INDICATOR_HEADERS = (
    "序号",
    "指标",
    "单位",
    "基期值",
    "目标值",
    "最新计入值",
    "完成度",
    "应有进度",
    "状态",
    "说明",
)
COMMITMENT_HEADERS = ("序号", "承诺事项", "出处", "目标", "最新值", "状态")


class ReportError(ValueError):
    """The report cannot be built (e.g. a year outside the plan period)."""


def report_as_of(year: int, today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return min(dt.date(year, 12, 31), today)


def _num(value: Any) -> str:
    if value is None:
        return "—"
    number = float(value)
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.4g}" if abs(number) < 1000 else f"{number:,.2f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


# --- document helpers ---------------------------------------------------------------------------


def _table(document: Any, headers: tuple[str, ...] | list[str], rows: list[list[str]]) -> Any:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(text))
        run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = str(text)
    fit_table(table)  # columns as wide as their content: a number never breaks
    return table


def sparkline(values: list[float | None], low: float, high: float) -> str:
    """One block character per value, scaled to [low, high]; "·" where there is no value."""
    span = high - low
    out = []
    for value in values:
        if value is None:
            out.append("·")
        elif span <= 0:
            out.append(SPARKS[len(SPARKS) // 2])
        else:
            index = round((value - low) / span * (len(SPARKS) - 1))
            out.append(SPARKS[max(0, min(len(SPARKS) - 1, index))])
    return "".join(out)


# --- content ------------------------------------------------------------------------------------


def _status(row: IndicatorRow) -> str:
    return row.published.status_label if row.published else STATUS_LABELS["no_data"]


def _indicator_cells(number: int, row: IndicatorRow) -> list[str]:
    ind, result = row.indicator, row.published
    latest = "—"
    if result is not None and result.latest_year is not None:
        kind = OBSERVATION_KINDS.get(result.latest_kind or "", "")
        latest = f"{_num(result.latest_value)}（{result.latest_year} 年{kind}）"
    note = result.status_reason if result is not None else ""
    note = "；".join([n for n in [note, *row.warnings] if n])
    return [
        str(number),
        ind.name,
        ind.unit,
        f"{_num(ind.baseline_value)}（{ind.baseline_year}）",
        f"{_num(ind.target_value)}（{ind.target_year}）",
        latest,
        _pct(result.completion if result else None),
        _pct(result.expected_completion if result else None),
        _status(row),
        note or "—",
    ]


def _trajectory(document: Any, row: IndicatorRow) -> None:
    ind, result = row.indicator, row.published
    spec = SimpleNamespace(**ind.target_spec)
    try:
        path = result.planned_path if result else planned_path(spec)
    except (ValueError, ZeroDivisionError):
        path = ()
    planned = {p.year: p.value for p in path}
    counted = {o.year: o.value for o in (result.counted if result else ())}
    computed = {p.year: p.value for p in row.computed_points}
    years = list(range(ind.baseline_year, ind.target_year + 1))
    document.add_paragraph(f"{ind.name}（{ind.unit}）", style="Heading 3")
    rows = [
        ["计入值", *[_num(counted.get(y)) if y in counted else "—" for y in years]],
        ["规划路径值", *[_num(planned.get(y)) if y in planned else "—" for y in years]],
    ]
    if computed:
        rows.append(
            ["登记库计算值", *[_num(computed.get(y)) if y in computed else "—" for y in years]]
        )
    png = indicator_chart(
        ind.name,
        ind.unit,
        counted,
        planned,
        computed,
        (ind.target_year, float(ind.target_value)) if ind.target_value is not None else None,
    )
    document.add_picture(io.BytesIO(png), width=Cm(15))
    _table(document, ["年份", *[str(y) for y in years]], rows)
    values = [v for v in [*counted.values(), *planned.values()] if v is not None]
    if values:
        low, high = min(values), max(values)
        line = (
            f"走势（{_num(low)}–{_num(high)}）　计入 "
            f"{sparkline([counted.get(y) for y in years], low, high)}　规划 "
            f"{sparkline([planned.get(y) for y in years], low, high)}"
        )
        document.add_paragraph(line)


def _indicator_quality_rows(row: IndicatorRow, year: int) -> list[list[str]]:
    """What weakens one indicator's figure: warnings, missing data, figures set aside or
    superseded, missing years (figures of a period after the report's year are not shown)."""
    name, result = row.indicator.name, row.published
    rows = [[name, "来源冲突或无法计算", warning] for warning in row.warnings]
    if result is None:
        if not row.warnings:
            rows.append([name, "缺少数据", "无法计算进度"])
        return rows
    if result.status == "no_data":
        rows.append([name, "缺少数据", result.status_reason])
    for aside in result.not_counted:
        o = aside.observation
        if o.year > year:
            continue
        kind = "预测数" if o.kind == "forecast" else "不计入进度的数据"
        rows.append(
            [name, kind, f"{o.year} 年 {_num(o.value)}（{aside.reason}；来源：{o.source}）"]
        )
    for aside in result.superseded:
        o = aside.observation
        if o.year > year:
            continue
        rows.append(
            [name, "已被取代的版本", f"{o.year} 年 {_num(o.value)}（{o.as_of}，{aside.reason}）"]
        )
    if result.years_missing:
        years = "、".join(str(y) for y in result.years_missing)
        rows.append([name, "缺少年份", f"缺少 {years} 年的正式数或初步数"])
    return rows


def _stored_quality_rows(plan: Plan, as_of: dt.date, year: int) -> list[list[str]]:
    """Stored figures of another scope (口径不同) and the count of figures in conflict."""
    rows: list[list[str]] = []
    scoped = (
        _observations(plan, as_of, year)
        .exclude(other_scope="")
        .select_related("indicator", "commitment", "area")
    )
    for o in scoped:
        subject = o.indicator.name if o.indicator else o.commitment.title  # type: ignore[union-attr]
        rows.append(
            [subject, "口径不同", f"{o.area.name} {o.period} {_num(o.value)}：{o.other_scope}"]
        )
    conflicts = _observations(plan, as_of, year).filter(state=ReviewState.CONFLICT).count()
    if conflicts:
        rows.append(["全部指标与承诺", "来源冲突", f"共 {conflicts} 个监测值来源冲突，待核实"])
    return rows


def _quality_rows(data: ReportData) -> list[list[str]]:
    rows = [line for row in data.city_rows for line in _indicator_quality_rows(row, data.year)]
    return rows + _stored_quality_rows(data.plan, data.as_of, data.year)


def _observations(plan: Plan, as_of: dt.date, year: int | None = None) -> Any:
    """The figures the report may cite: published by `as_of`, for a period up to its year
    (`as_of`'s year unless given)."""
    return (
        plan_observations(None, plan)
        .filter(as_of__lte=as_of, year__lte=as_of.year if year is None else year)
        .exclude(state__in=NOT_COUNTED_STATES)
    )


def _source_rows(plan: Plan, as_of: dt.date, year: int | None = None) -> list[list[str]]:
    counts: Counter[tuple[str, str, str]] = Counter()
    for title, issuer, url in _observations(plan, as_of, year).values_list(
        "source_title", "source_issuer", "source_url"
    ):
        counts[(title, issuer, url)] += 1
    return [
        [str(n), title, issuer or "—", url or "—", str(count)]
        for n, ((title, issuer, url), count) in enumerate(sorted(counts.items()), start=1)
    ]


@dataclass
class ReportData:
    """What the report says, read once: the progress of every area as known on `as_of`."""

    plan: Plan
    year: int
    as_of: dt.date
    areas: list[Area]
    progress: dict[str, list[IndicatorRow]]
    city_rows: list[IndicatorRow]
    commitments: list[CommitmentRow]

    def shown_years(self) -> set[int]:
        """The years of every figure the report shows: counted, set aside or superseded
        figures, the registry's computed values, the commitments' figures, and figures of
        another scope (only periods up to the report's year are shown at all)."""
        years: set[int] = set()
        for row in self.city_rows:
            years |= {p.year for p in row.computed_points if p.value is not None}
            result = row.published
            if result is not None:
                years |= {o.year for o in result.counted}
                years |= {a.observation.year for a in (*result.not_counted, *result.superseded)}
        for c in self.commitments:
            figures = [f for f in (c.judgement.figure, *c.judgement.others) if f is not None]
            years |= {f.year for f in figures}
        scoped = _observations(self.plan, self.as_of, self.year).exclude(other_scope="")
        years |= set(scoped.values_list("year", flat=True))
        return {y for y in years if y <= self.year}

    @property
    def data_as_of(self) -> dt.date | None:
        """“数据截至”: the end of the latest period the report shows (never later than the
        day the report is read on), None when it shows no figure."""
        years = self.shown_years()
        return min(dt.date(max(years), 12, 31), self.as_of) if years else None


def _read(plan: Plan, year: int) -> ReportData:
    as_of = report_as_of(year)
    areas = list(Area.local().order_by("sort_order", "code"))
    progress = plan_progress(plan, as_of, areas)
    return ReportData(
        plan=plan,
        year=year,
        as_of=as_of,
        areas=areas,
        progress=progress,
        city_rows=progress.get(plan.area.code, []),
        commitments=commitment_progress(plan, as_of),
    )


def _title(document: Any, data: ReportData, user: Any) -> None:
    plan, year = data.plan, data.year
    document.core_properties.title = f"{plan.title}实施情况监测报告（{year} 年）"
    document.core_properties.author = "南阳市科学技术局 科创平台"
    title = document.add_paragraph(style="Title")
    title.add_run("规划实施情况监测报告")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = document.add_paragraph(f"{plan.title}（{plan.document_number}）· {year} 年")
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    by = getattr(user, "username", "") or "系统"
    shown = data.data_as_of
    document.add_paragraph(
        (f"数据截至 {shown.isoformat()}" if shown else "数据截至：暂无数据")
        + f"（按 {data.as_of.isoformat()} 前已公布的数据）；"
        f"生成于 {timezone.localdate().isoformat()}（{by}）。"
        "只有正式数、初步数计入进度；预测数、部分期间数、累计数和目标数列出但不计入；"
        "来源冲突的数值在核实前不计入。"
    )


def _summary(document: Any, data: ReportData) -> None:
    city_rows, commitments = data.city_rows, data.commitments
    document.add_paragraph("一、总体情况", style="Heading 1")
    statuses = Counter(row.published.status if row.published else "no_data" for row in city_rows)
    parts = [f"{STATUS_LABELS[s]} {statuses[s]} 项" for s in STATUS_LABELS if statuses[s]]
    c_status = Counter(c.status_label for c in commitments)
    document.add_paragraph(
        f"规划目标表 {len(city_rows)} 项指标：" + ("，".join(parts) or "暂无数据") + "。"
        f"正文量化承诺 {len(commitments)} 项："
        + ("，".join(f"{label} {n} 项" for label, n in c_status.items()) or "无")
        + "。"
    )
    lagging_names = [r.indicator.name for r in city_rows if r.status in LAGGING]
    if lagging_names:
        document.add_paragraph("滞后的指标：" + "、".join(lagging_names) + "。")


def _indicator_table(document: Any, data: ReportData) -> None:
    document.add_paragraph("二、规划指标监测表", style="Heading 1")
    document.add_paragraph(_nature_sentence([row.indicator for row in data.city_rows]))
    _table(
        document,
        INDICATOR_HEADERS,
        [_indicator_cells(n, row) for n, row in enumerate(data.city_rows, start=1)],
    )


def _nature_sentence(indicators: list[Any]) -> str:
    binding = [i.name for i in indicators if i.nature == "binding"]
    if not binding:
        return (
            f"规划目标表为“预期目标”：以下 {len(indicators)} 项指标均为预期性指标"
            "（引导方向、争取实现），不是约束性指标。"
        )
    return f"其中约束性指标 {len(binding)} 项：{'、'.join(binding)}；其余为预期性指标。"


def _commitment_cells(number: int, c: CommitmentRow) -> list[str]:
    j = c.judgement
    shown = "—"
    if j.figure is not None:
        shown = f"{_num(j.figure.value)}（{j.figure.basis}）"
    extra = [f"{_num(f.value)}（{f.basis}）" for f in j.others]
    if j.benchmark is not None:
        extra.append(f"基准 {_num(j.benchmark.value)}（{c.commitment.benchmark_area}）")
    if j.failures:
        extra.append("未达标：" + "、".join(f"{c.area_name(a)} {y} 年" for a, y, _ in j.failures))
    status = c.status_label + "".join(f"；{n}" for n in j.notes)
    return [
        str(number),
        c.commitment.title,
        c.commitment.section,
        f"{j.target_text} {_unit(c.commitment)}（{c.commitment.target_year} 年）",
        "；".join([shown, *extra]),
        status,
    ]


def _unit(c: Commitment) -> str:
    return c.unit.split("（")[0] if c.unit else ""


def _commitment_table(document: Any, data: ReportData) -> None:
    document.add_paragraph("三、量化承诺监测表", style="Heading 1")
    rows = [_commitment_cells(n, c) for n, c in enumerate(data.commitments, start=1)]
    _table(document, COMMITMENT_HEADERS, rows)


def _trajectories(document: Any, data: ReportData) -> None:
    document.add_paragraph("四、指标走势", style="Heading 1")
    document.add_paragraph(
        "各指标从基期年到目标年的计入值与规划路径值（按规划的增长方式逐年推算）；"
        "“走势”一行为文字迷你图，▁ 为区间最低、█ 为最高，· 表示该年无数据。"
    )
    for row in data.city_rows:
        _trajectory(document, row)


def _lagging_rows(data: ReportData) -> list[list[str]]:
    """Areas behind or far behind on an indicator, by the indicator's area ranking."""
    return [
        [
            row.indicator.name,
            rank.area,
            _pct(rank.completion),
            STATUS_LABELS[rank.status],
            str(rank.rank) if rank.rank else "—",
        ]
        for row in data.city_rows
        for rank in area_ranking(data.progress, row.indicator.code, data.areas)
        if rank.status in LAGGING
    ]


def _section(
    document: Any,
    heading: str,
    headers: tuple[str, ...],
    rows: list[list[str]],
    empty: str,
) -> None:
    """A section holding one table, or a sentence saying why there is none."""
    document.add_paragraph(heading, style="Heading 1")
    if rows:
        _table(document, headers, rows)
    else:
        document.add_paragraph(empty)


def build_report(plan: Plan, year: int, user: Any = None) -> bytes:
    """The report as .docx bytes. Raises ReportError for a year outside the plan period."""
    if not plan.start_year <= year <= plan.end_year:
        raise ReportError(f"年份应在规划期 {plan.start_year}–{plan.end_year} 年之内。")
    data = _read(plan, year)
    document = Document()
    set_cjk_fonts(document)
    _title(document, data, user)
    _summary(document, data)
    _indicator_table(document, data)
    _commitment_table(document, data)
    _trajectories(document, data)
    _section(
        document,
        "五、滞后区域",
        ("指标", "区域", "完成度", "状态", "排名"),
        _lagging_rows(data),
        "暂无滞后或严重滞后的县市区（未分解目标或无区域数据的指标不参与排名）。",
    )
    _section(
        document,
        "六、数据质量说明",
        ("指标", "类别", "说明"),
        _quality_rows(data),
        "未发现来源冲突、预测数或缺失年份。",
    )
    _section(
        document,
        "七、数据来源",
        ("序号", "来源名称", "发布机构", "地址", "引用次数"),
        _source_rows(plan, data.as_of, data.year),
        "尚未录入任何监测值。",
    )
    document.add_paragraph(f"规划文本：{plan.title}（{plan.document_number}，{plan.issued_on}）。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
