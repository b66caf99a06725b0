"""The Word monitoring report, read back with python-docx: every indicator with its status,
every commitment, the hand-computed completion, data-quality notes, sources; the command; the
conversion by LibreOffice when it is installed."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document
from docx.oxml.ns import qn

from kechuang.core.docx_style import FONT
from kechuang.core.tests import word
from kechuang.monitoring import services
from kechuang.monitoring.engine.progress import STATUS_LABELS
from kechuang.monitoring.models import AreaTarget, Commitment, Indicator, Plan
from kechuang.monitoring.report import build_report, report_as_of, sparkline
from kechuang.registry.models import Area


@pytest.fixture
def nanyang_plan(reference: None) -> Plan:
    return services.load_plan_file(settings.DATA_DIR / "plans" / "nanyang-14th.yaml")


def record(user: Any, subject: str, area: str, period: str, value: float, kind: str, **extra: Any):
    target = Indicator.objects.filter(code=subject).first()
    data = {
        "indicator": target,
        "commitment": None if target else Commitment.objects.get(code=subject),
        "area": Area.objects.get(name=area),
        "period": period,
        "value": value,
        "kind": kind,
        "as_of": extra.pop("as_of", dt.date(int(period[-4:]) + 1, 4, 1)),
        "source_title": extra.pop("source_title", f"{period[-4:]} 年南阳市统计公报"),
        **extra,
    }
    return services.record_observation(user, data)


@pytest.fixture
def figures(nanyang_plan: Plan, users: dict[str, Any]) -> Plan:
    user = users["city_staff"]
    for year, value in ((2021, 300), (2022, 350), (2023, 420)):
        record(user, "hnte_count", "南阳市", str(year), value, "actual")
    record(
        user,
        "hnte_count",
        "南阳市",
        "2025",
        600,
        "forecast",
        source_title="市科技局预测",
        as_of=dt.date(2024, 6, 1),
    )
    record(user, "platforms", "南阳市", "2021", 800, "actual")
    record(user, "platforms", "南阳市", "2021", 805, "actual", source_title="省科技厅平台名单")
    record(user, "tsme_count", "南阳市", "2022", 470, "actual")  # 2021 missing
    record(
        user,
        "rd_staff_per_10k_workers",
        "南阳市",
        "2021",
        24,
        "actual",
        other_scope="取自全省口径",
        source_issuer="河南省统计局",
        source_url="https://tjj.henan.gov.cn/",
    )
    record(user, "hnte_over_500", "南阳市", "2023", 420, "actual")
    hnte = Indicator.objects.get(code="hnte_count")
    for name, baseline, target, value in (("卧龙区", 30, 60, 31), ("宛城区", 20, 40, 35)):
        area = Area.objects.get(name=name)
        AreaTarget.objects.create(
            indicator=hnte, area=area, baseline_value=baseline, target_value=target, method="manual"
        )
        record(user, "hnte_count", name, "2023", value, "actual", source_title=f"{name}快报")
    return nanyang_plan


def tables_by_header(document: Any) -> dict[str, Any]:
    return {" | ".join(c.text for c in t.rows[0].cells): t for t in document.tables}


def rows_of(table: Any) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows[1:]]


def test_report_tables_hold_every_indicator_and_commitment(figures: Plan) -> None:
    content = build_report(figures, 2024, None)
    document = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "规划实施情况监测报告" in text
    assert "数据截至 2024-12-31" in text
    assert "以下 11 项指标均为预期性指标（引导方向、争取实现），不是约束性指标。" in text
    tables = tables_by_header(document)
    indicator_table = tables[
        "序号 | 指标 | 单位 | 基期值 | 目标值 | 最新计入值 | 完成度 | 应有进度 | 状态 | 说明"
    ]
    rows = {r[1]: r for r in rows_of(indicator_table)}
    names = list(
        Indicator.objects.filter(plan=figures, is_auxiliary=False).values_list("name", flat=True)
    )
    assert len(names) == 11 and sorted(rows) == sorted(names)
    assert all(r[8] in STATUS_LABELS.values() for r in rows.values())
    hnte = rows["高新技术企业数"]
    # (420 − 264)/(500 − 264) = 156/236 = 66.1 %; geometric path 264→500 expects 387.28 in 2023
    assert hnte[5] == "420（2023 年正式数）"
    assert (hnte[6], hnte[7], hnte[8]) == ("66.1%", "52.2%", "正常")
    # 450→1350 geometric: 2022 expects 698.6 (27.6 %), 470 is 2.2 %: shortfall 25 % > 20 %
    assert rows["科技型中小企业数量"][8] == "严重滞后"
    assert rows["研发经费投入增长"][8] == "暂无数据"
    assert "来源冲突" in rows["科技创新平台数"][9]  # both 2021 figures set aside
    commitment_table = tables["序号 | 承诺事项 | 出处 | 目标 | 最新值 | 状态"]
    titles = [r[1] for r in rows_of(commitment_table)]
    assert titles == list(
        Commitment.objects.filter(plan=figures)
        .order_by("sort_order")
        .values_list("title", flat=True)
    )
    over_500 = next(
        r
        for r in rows_of(commitment_table)
        if r[1] == Commitment.objects.get(code="hnte_over_500").title
    )
    # Judged on its own 2023 正式数 (before the target year: 尚未达到), with the restated
    # indicator's published figure and its registry count beside it.
    assert over_500[4] == (
        "420（本项发布数：2023 年正式数）；420（指标“高新技术企业数”发布数：2023 年正式数）；"
        "0（指标“高新技术企业数”登记库计算值：2024 年年末数）"
    )
    assert over_500[5] == "尚未达到"
    quality = rows_of(tables["指标 | 类别 | 说明"])
    # the 2025 forecast (published in 2024) is a figure for a period after the report's
    # year: not shown in the 2024 report (test_data_as_of_is_the_latest_period_shown)
    assert not any("2025 年 600" in r[2] for r in quality)
    assert ["科技型中小企业数量", "缺少年份", "缺少 2021 年的正式数或初步数"] in quality
    assert any(r[1] == "口径不同" and "取自全省口径" in r[2] for r in quality)
    assert ["全部指标与承诺", "来源冲突", "共 2 个监测值来源冲突，待核实"] in quality
    sources = rows_of(tables["序号 | 来源名称 | 发布机构 | 地址 | 引用次数"])
    assert [s[1:] for s in sources if s[1] == "市科技局预测"] == []
    lagging = rows_of(tables["指标 | 区域 | 完成度 | 状态 | 排名"])
    assert lagging == [["高新技术企业数", "卧龙区", "3.3%", "严重滞后", "2"]]
    trajectory = tables["年份 | 2020 | 2021 | 2022 | 2023 | 2024 | 2025"]
    assert trajectory is not None
    assert any(p.text.startswith("走势（") for p in document.paragraphs)


def test_trajectory_table_and_sparkline(figures: Plan) -> None:
    document = Document(io.BytesIO(build_report(figures, 2024)))
    heading = next(p for p in document.paragraphs if p.text == "高新技术企业数（家）")
    assert heading.style.name == "Heading 3"
    hnte = next(
        t
        for t in document.tables
        if t.rows[0].cells[0].text == "年份" and t.rows[1].cells[2].text == "300"
    )
    assert [c.text for c in hnte.rows[1].cells] == ["计入值", "—", "300", "350", "420", "—", "—"]
    assert hnte.rows[2].cells[1].text == "264" and hnte.rows[2].cells[6].text == "500"
    assert sparkline([1, None, 3], 1, 3) == "▁·█"
    assert sparkline([2, 2], 2, 2) == "▅▅"


def test_fonts_east_asian(figures: Plan) -> None:
    document = Document(io.BytesIO(build_report(figures, 2023)))
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == FONT == "Noto Sans CJK SC"
    font_table = next(
        p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"
    )
    assert "宋体".encode() in font_table.blob


def test_as_of_is_year_end_or_today() -> None:
    assert report_as_of(2023, dt.date(2024, 5, 1)) == dt.date(2023, 12, 31)
    assert report_as_of(2024, dt.date(2024, 5, 1)) == dt.date(2024, 5, 1)


def test_command_writes_the_docx(figures: Plan, tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "report.docx"
    call_command("monitoring_report", "--plan", "nanyang-14", "--year", "2024", "--out", str(out))
    assert "已生成监测报告" in capsys.readouterr().out
    document = Document(str(out))
    assert len(document.tables) > 10
    with pytest.raises(CommandError, match="年份应在规划期 2021–2025 年之内"):
        call_command("monitoring_report", "--year", "2030", "--out", str(out))
    with pytest.raises(CommandError, match="规划“nope”不存在"):
        call_command("monitoring_report", "--plan", "nope", "--out", str(out))


def test_report_without_any_observation(nanyang_plan: Plan) -> None:
    document = Document(io.BytesIO(build_report(nanyang_plan, 2021)))
    rows = rows_of(
        tables_by_header(document)[
            "序号 | 指标 | 单位 | 基期值 | 目标值 | 最新计入值 | 完成度 | 应有进度 | 状态 | 说明"
        ]
    )
    assert len(rows) == 11 and {r[8] for r in rows} == {"暂无数据"}
    assert any(p.text == "尚未录入任何监测值。" for p in document.paragraphs)


def test_the_report_renders_on_a4_with_no_number_split(figures: Plan, tmp_path: Path) -> None:
    content = build_report(figures, 2024)
    reader = word.render_pdf(content, tmp_path, "report")
    assert word.page_sizes(reader) == {word.A4_POINTS}
    assert len(word.table_numbers(content)) > 50
    assert word.split_numbers(content, reader) == []
    footer = reader.pages[1].extract_text()
    assert "— 2 —" in footer  # the page number, GB/T 9704 style


def test_every_indicator_has_a_chart_image(figures: Plan) -> None:
    from PIL import Image

    document = Document(io.BytesIO(build_report(figures, 2024)))
    shapes = list(document.inline_shapes)
    assert len(shapes) == 11  # one chart per indicator of the target table
    blob = document.part.related_parts[
        shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    ].blob
    image = Image.open(io.BytesIO(blob))
    assert image.format == "PNG" and image.size[0] >= 900


def _as_of_line(document: Any) -> str:
    return next(p.text for p in document.paragraphs if p.text.startswith("数据截至"))


def _years_shown(document: Any) -> set[int]:
    """The years of the figures the report shows: the latest counted value, the commitments'
    latest values, the quality notes' figures and the trajectories' counted values."""
    tables = tables_by_header(document)
    years: set[int] = set()
    indicators = tables[
        "序号 | 指标 | 单位 | 基期值 | 目标值 | 最新计入值 | 完成度 | 应有进度 | 状态 | 说明"
    ]
    for row in rows_of(indicators):
        years |= {int(y) for y in re.findall(r"（(20\d\d) 年", row[5])}
    for row in rows_of(tables["序号 | 承诺事项 | 出处 | 目标 | 最新值 | 状态"]):
        years |= {int(y) for y in re.findall(r"(20\d\d) 年", row[4])}
    quality = tables.get("指标 | 类别 | 说明")
    for row in rows_of(quality) if quality else []:
        years |= {int(y) for y in re.findall(r"^(20\d\d) 年 ", row[2])}
    for table in document.tables:
        header = [c.text for c in table.rows[0].cells]
        if header[0] != "年份":
            continue
        for row in rows_of(table):
            if row[0] in ("计入值", "登记库计算值"):
                years |= {int(h) for h, v in zip(header[1:], row[1:], strict=True) if v != "—"}
    return years


def test_data_as_of_is_the_latest_period_shown(figures: Plan) -> None:
    """“数据截至” is the end of the latest period the report shows, and no figure of a later
    period appears: the 2025 forecast published in June 2024 is left out of the 2022 and 2024
    reports and listed in the 2025 one."""
    for year in (2022, 2024):
        document = Document(io.BytesIO(build_report(figures, year)))
        line = _as_of_line(document)
        stated = dt.date.fromisoformat(line.split()[1].split("（")[0])
        assert stated == dt.date(year, 12, 31), line
        assert f"（按 {year}-12-31 前已公布的数据）" in line
        assert max(_years_shown(document)) == stated.year
        text = " ".join(c.text for t in document.tables for row in t.rows for c in row.cells)
        assert "市科技局预测" not in text
    later = Document(io.BytesIO(build_report(figures, 2025)))
    assert _as_of_line(later).startswith("数据截至 2025-12-31（按 2025-12-31 前已公布的数据）")
    quality = rows_of(tables_by_header(later)["指标 | 类别 | 说明"])
    assert [
        "高新技术企业数",
        "预测数",
        "2025 年 600（预测数，不计入进度；来源：市科技局预测）",
    ] in quality
