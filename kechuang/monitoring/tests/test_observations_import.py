"""Observation import from real files (CSV in UTF-8 with/without BOM and GB18030, xlsx):
all-or-nothing by counts, every rejection with its Chinese message, conflicts, vintages, scope."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from openpyxl import Workbook

from kechuang.monitoring import imports as oi
from kechuang.monitoring.models import Observation, Plan, ReviewState
from kechuang.monitoring.selectors import plan_progress
from kechuang.monitoring.services import load_plan_file, withdraw_observation

HEADER = "indicator,area,period,value,kind,as_of,source"
GOOD_ROWS = [
    "hnte_count,南阳市,2021,300,正式数,2022-04-01,2021 年南阳市统计公报",
    "hnte_count,411300,2022,350,actual,2023-04-01,2022 年南阳市统计公报",
    "platforms,卧龙区,2023,120,初步数,2024-02-01,卧龙区科技局快报",
    "tsme_count,南阳市,2021-2023,1500,累计数,2024-03-01,省科技厅通报",
    "rd_growth,南阳市,2024-01/2024-09,8.5,部分期间数,2024-10-20,统计月报",
    "hnte_over_500,南阳市,2025,520,预测数,2024-06-01,市科技局预测",
    "population,南阳市,2023,962.9,正式数,2024-03-20,2023 年南阳市统计公报",
]


@pytest.fixture
def nanyang_plan(reference: None) -> Plan:
    return load_plan_file(settings.DATA_DIR / "plans" / "nanyang-14th.yaml")


def csv_bytes(rows: list[str], encoding: str = "utf-8", header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def problems(report: oi.ObservationImportReport) -> list[tuple[int, str, str]]:
    return [(e.row, e.column_header, e.problem) for e in report.errors]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_every_encoding_commits_every_row(
    nanyang_plan: Plan, users: dict[str, Any], encoding: str
) -> None:
    user = users["city_staff"]
    report = oi.validate_file(csv_bytes(GOOD_ROWS, encoding), user, nanyang_plan, "obs.csv")
    assert report.errors == []
    assert report.file_format == ("CSV（GB18030）" if encoding == "gb18030" else "CSV（UTF-8）")
    assert (report.rows_total, report.to_create, report.conflicts) == (7, 7, 0)
    result = oi.commit(report, user)
    assert result.created == 7 and Observation.objects.count() == 7
    commitment_row = Observation.objects.get(commitment__code="hnte_over_500")
    assert commitment_row.indicator is None and commitment_row.kind == "forecast"
    cumulative = Observation.objects.get(indicator__code="tsme_count")
    assert (cumulative.period, cumulative.start, cumulative.end, cumulative.year) == (
        "2021-2023",
        dt.date(2021, 1, 1),
        dt.date(2023, 12, 31),
        2023,
    )
    partial = Observation.objects.get(indicator__code="rd_growth")
    assert (partial.kind, partial.end) == ("partial", dt.date(2024, 9, 30))
    assert {o.entered_by for o in Observation.objects.all()} == {user}
    assert Observation.objects.get(area__name="卧龙区").source_title == "卧龙区科技局快报"


def test_gb18030_file_by_command(
    nanyang_plan: Plan, users: dict[str, Any], tmp_path: Path, capsys: Any
) -> None:
    path = write(tmp_path, "监测值.csv", csv_bytes(GOOD_ROWS, "gb18030"))
    call_command("import_observations", str(path), "--user", "city_staff", "--dry-run")
    assert Observation.objects.count() == 0
    assert "试运行" in capsys.readouterr().out
    call_command("import_observations", str(path), "--plan", "nanyang-14", "--user", "city_staff")
    assert Observation.objects.count() == 7
    assert "已导入：新增 7 条" in capsys.readouterr().out


def test_xlsx_with_number_and_date_cells_and_optional_columns(
    nanyang_plan: Plan, users: dict[str, Any], tmp_path: Path
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([*HEADER.split(","), "source_issuer", "source_url", "source_quote", "other_scope"])
    sheet.append(
        [
            "rd_staff_per_10k_workers",
            "南阳市",
            2020,
            19.5,
            "正式数",
            dt.datetime(2021, 6, 1),
            "河南省统计年鉴 2021",
            "河南省统计局",
            "https://tjj.henan.gov.cn/",
            "每万名就业人员中研发人员 19.5 人年",
            "全省口径",
        ]
    )
    sheet.append(["hnte_count", "宛城区", "2023", "１２０", "actual", "2024年3月5日", "宛城区快报"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = oi.validate_file(buffer.getvalue(), users["city_admin"], nanyang_plan, "obs.xlsx")
    assert report.errors == [] and report.file_format == "xlsx" and report.to_create == 2
    oi.commit(report, users["city_admin"])
    baseline = Observation.objects.get(indicator__code="rd_staff_per_10k_workers")
    assert (baseline.period, baseline.as_of, baseline.other_scope) == (
        "2020",
        dt.date(2021, 6, 1),
        "全省口径",
    )
    assert (baseline.source_issuer, baseline.source_quote[:4]) == ("河南省统计局", "每万名就")
    assert Observation.objects.get(area__name="宛城区").value == 120


def test_all_or_nothing_every_rejection_reported_in_chinese(
    nanyang_plan: Plan, users: dict[str, Any], tmp_path: Path, capsys: Any
) -> None:
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    rows = [
        GOOD_ROWS[0],  # row 2: fine
        "no_such_indicator,南阳市,2023,1,正式数,2024-01-01,甲",  # 3
        "hnte_count,火星区,2023,1,正式数,2024-01-01,甲",  # 4
        "hnte_count,南阳市,2023年度,1,正式数,2024-01-01,甲",  # 5
        "hnte_count,南阳市,2023,abc,正式数,2024-01-01,甲",  # 6
        "hnte_count,南阳市,2023,1,正式数,2024-13-45,甲",  # 7
        f"hnte_count,南阳市,2023,1,正式数,{future},甲",  # 8
        "hnte_count,南阳市,2023,1,累计数,2024-01-01,甲",  # 9
        "hnte_count,南阳市,2021-2023,1,部分期间数,2024-01-01,甲",  # 10
        "hnte_count,南阳市,2023,1,估算数,2024-01-01,甲",  # 11
        "hnte_count,南阳市,2023,1,正式数,2024-01-01,",  # 12
        "hnte_count,南阳市,2021-2023,1,正式数,2024-01-01,甲",  # 13
    ]
    report = oi.validate_file(csv_bytes(rows), users["city_staff"], nanyang_plan, "bad.csv")
    found = problems(report)
    assert found == [
        (3, "指标（A 列）", "规划“nanyang-14”中没有指标或量化承诺“no_such_indicator”。"),
        (4, "区域（B 列）", "未知的区域“火星区”。"),
        (
            5,
            "期间（C 列）",
            "无法识别的期间“2023年度”：年度写作 2023，跨年累计写作 2021-2025，"
            "月份区间写作 2022-01/2022-10。",
        ),
        (6, "数值（D 列）", "“abc”不是有效的数字。"),
        (7, "发布日期（F 列）", "日期“2024-13-45”不存在（2024 年 13 月 45 日）。"),
        (8, "发布日期（F 列）", f"发布日期 {future} 晚于今天。"),
        (9, "期间（C 列）", "累计数的期间应为年份区间，如 2021-2025。"),
        (10, "期间（C 列）", "部分期间数的期间应为月份区间，如 2022-01/2022-10。"),
        (11, "数据类型（E 列）", "未知的数据类型“估算数”。"),
        (12, "来源（G 列）", "“来源”为必填项，不能为空。"),
        (13, "期间（C 列）", "正式数的期间应为单一年度，如 2023。"),
    ]
    assert all(e.fix for e in report.errors)
    assert report.rows_total == 12 and len(report.rows) == 1
    with pytest.raises(oi.ImportRefused, match="未导入任何数据"):
        oi.commit(report, users["city_staff"])
    assert Observation.objects.count() == 0
    path = write(tmp_path, "bad.csv", csv_bytes(rows))
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_observations", str(path), "--user", "city_staff")
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "校验未通过，未导入任何数据。共 11 处错误" in err
    assert "第 4 行【区域（B 列）】“火星区”：未知的区域“火星区”。" in err
    assert Observation.objects.count() == 0


def test_file_level_rejections(nanyang_plan: Plan, users: dict[str, Any]) -> None:
    user = users["city_staff"]

    def first(content: bytes) -> str:
        return oi.validate_file(content, user, nanyang_plan, "f").errors[0].problem

    assert first(b"") == "文件是空的。"
    assert first(b"%PDF-1.7 ...") == "该文件是 PDF 文档，不是 Excel 工作簿。"
    assert first(csv_bytes(GOOD_ROWS, header="指标,区域,期间,数值")) == "缺少列“数据类型”。"
    assert first(csv_bytes([], header=HEADER)) == "文件中没有数据行。"
    assert first(csv_bytes(GOOD_ROWS, header=HEADER + ",备注")) == "无法识别的列“备注”。"
    zh_header = "指标,区域,期间,数值,数据类型,发布日期,来源"
    assert oi.validate_file(csv_bytes(GOOD_ROWS, header=zh_header), user, nanyang_plan).ok
    refused = oi.validate_file(csv_bytes(GOOD_ROWS), users["enterprise"], nanyang_plan)
    assert refused.errors[0].problem == "只有市科技局工作人员和县区工作人员可以录入监测值。"


def test_duplicates_in_file_and_reimport_is_unchanged(
    nanyang_plan: Plan, users: dict[str, Any]
) -> None:
    user = users["city_staff"]
    twice = [GOOD_ROWS[0], GOOD_ROWS[0].replace(",300,", ",301,")]
    report = oi.validate_file(csv_bytes(twice), user, nanyang_plan)
    assert problems(report) == [
        (
            3,
            "数值（D 列）",
            "与第 2 行重复：同一指标、区域、期间、类型、来源和发布日期出现了两次，且数值不同。",
        )
    ]
    oi.commit(oi.validate_file(csv_bytes(GOOD_ROWS), user, nanyang_plan), user)
    again = oi.validate_file(csv_bytes(GOOD_ROWS), user, nanyang_plan)
    assert (again.to_create, again.unchanged) == (0, 7)
    assert oi.commit(again, user).created == 0 and Observation.objects.count() == 7
    changed = oi.validate_file(
        csv_bytes([GOOD_ROWS[0].replace(",300,", ",305,")]), user, nanyang_plan
    )
    assert changed.errors[0].problem == (
        "库中已有同一来源、同一发布日期（2022-04-01）的该数值 300，与本行不同。"
    )


def test_conflict_flagged_and_revision_kept_as_vintage(
    nanyang_plan: Plan, users: dict[str, Any]
) -> None:
    user = users["city_staff"]
    oi.commit(oi.validate_file(csv_bytes(GOOD_ROWS[:2]), user, nanyang_plan), user)
    rows = [
        "hnte_count,南阳市,2022,360,正式数,2023-05-01,省科技厅高企名单",  # disagrees: conflict
        "hnte_count,南阳市,2021,310,正式数,2023-01-10,2021 年南阳市统计公报",  # a revision
    ]
    report = oi.validate_file(csv_bytes(rows), user, nanyang_plan)
    assert report.ok and report.conflicts == 1
    result = oi.commit(report, user)
    assert (result.created, result.conflicts) == (2, 1)
    states = dict(Observation.objects.filter(year=2022).values_list("value", "state"))
    assert states == {350: ReviewState.CONFLICT, 360: ReviewState.CONFLICT}
    note = Observation.objects.get(year=2022, value=360).state_note
    assert note == "与“2022 年南阳市统计公报”的数值不一致"
    assert Observation.objects.filter(year=2021).count() == 2  # both vintages kept
    city = nanyang_plan.area
    row = next(
        r
        for r in plan_progress(nanyang_plan, dt.date(2024, 1, 1), [city])[city.code]
        if r.indicator.code == "hnte_count"
    )
    assert row.published.latest_value == 310  # the 2022 conflict does not count; newest 2021
    assert row.conflicts == 2


def test_county_staff_only_their_subtree(nanyang_plan: Plan, users: dict[str, Any]) -> None:
    county = users["county_staff"]  # 卧龙区
    rows = [
        "platforms,卧龙区,2023,120,初步数,2024-02-01,卧龙区科技局快报",
        "platforms,宛城区,2023,90,初步数,2024-02-01,宛城区快报",
    ]
    report = oi.validate_file(csv_bytes(rows), county, nanyang_plan)
    assert problems(report) == [
        (3, "区域（B 列）", "超出您的管辖范围：您只能录入卧龙区（含下级区域）的监测值。")
    ]
    assert Observation.objects.count() == 0
    ok = oi.validate_file(csv_bytes(rows[:1]), county, nanyang_plan)
    assert oi.commit(ok, county).created == 1


def test_permission_denied_at_commit_is_a_row_error(
    nanyang_plan: Plan, users: dict[str, Any], monkeypatch: Any
) -> None:
    county = users["county_staff"]
    monkeypatch.setattr(oi, "may_enter_in", lambda user, area: True)  # the dry run is fooled
    rows = [
        "platforms,卧龙区,2023,120,初步数,2024-02-01,卧龙区科技局快报",
        "platforms,宛城区,2023,90,初步数,2024-02-01,宛城区快报",
    ]
    report = oi.validate_file(csv_bytes(rows), county, nanyang_plan)
    assert report.ok
    with pytest.raises(oi.ImportRefused, match="导入时发现 1 处错误"):
        oi.commit(report, county)
    assert problems(report) == [(3, "区域（B 列）", "您无权新增该监测值：超出了您的管辖范围。")]
    assert Observation.objects.count() == 0  # the first row was rolled back


def test_commit_only_by_the_validating_user(nanyang_plan: Plan, users: dict[str, Any]) -> None:
    report = oi.validate_file(csv_bytes(GOOD_ROWS), users["city_staff"], nanyang_plan)
    with pytest.raises(oi.ImportRefused, match="只能由校验该文件的用户确认导入"):
        oi.commit(report, users["city_admin"])


# --- the value rules and the plausibility check (engine/figure_rules.py) -----------------------

LAST = timezone.localdate().year - 1  # the last year that is over


def test_value_rules_are_row_errors(nanyang_plan: Plan, users: dict[str, Any]) -> None:
    today = timezone.localdate().isoformat()
    rows = [
        f"hnte_count,南阳市,{LAST},-5,正式数,{today},甲",  # 2: a negative count
        f"hnte_count,南阳市,{LAST},12.5,正式数,{today},甲",  # 3: a fractional count
        f"hightech_industry_share,南阳市,{LAST},120,正式数,{today},甲",  # 4: a share above 100
        f"tech_contract_amount,南阳市,{LAST},-1,正式数,{today},甲",  # 5: a negative amount
        f"hnte_count,宛城区,{LAST},1e30,正式数,{today},甲",  # 6: beyond the stored range
        f"hnte_count,卧龙区,{LAST},1e26,正式数,{today},甲",  # 7
        f"platforms,南阳市,{LAST},NaN,正式数,{today},甲",  # 8
        f"platforms,宛城区,{LAST},inf,正式数,{today},甲",  # 9
        f"platforms,卧龙区,{LAST + 2},100,正式数,{today},甲",  # 10: a period not yet over
        f"rd_growth,南阳市,{LAST},150,正式数,{today},甲",  # 11: a rate beyond ±100 %
        f"platforms,南阳市,{LAST + 2},900,预测数,{today},甲",  # 12: a forecast may look ahead
        f"tsme_count,南阳市,{LAST},-0,正式数,{today},甲",  # 13: −0 is 0
    ]
    report = oi.validate_file(csv_bytes(rows), users["city_staff"], nanyang_plan, "rules.csv")
    expected = [
        (2, "数值（D 列）", "计数类指标（单位：家）不能为负数，实为 -5。"),
        (3, "数值（D 列）", "计数类指标（单位：家）应为整数，实为 12.5。"),
        (4, "数值（D 列）", "比重类指标（单位 %）应在 0–100 之间，实为 120。"),
        (5, "数值（D 列）", "该指标（单位：亿元）不能为负数，实为 -1。"),
        (6, "数值（D 列）", "数值超出可保存的范围（绝对值须小于 10 的 14 次方，最多 4 位小数）"),
        (7, "数值（D 列）", "数值超出可保存的范围（绝对值须小于 10 的 14 次方，最多 4 位小数）"),
        (8, "数值（D 列）", "“NaN”不是有效的数字。"),
        (9, "数值（D 列）", "“inf”不是有效的数字。"),
        (10, "期间（C 列）", f"期间截至 {LAST + 2}-12-31，晚于录入日期 {today}：尚未结束的"),
        (11, "数值（D 列）", "增速 150% 超出 ±100%，极为罕见。"),
    ]
    found = problems(report)
    assert [(row, column) for row, column, _ in found] == [(r, c) for r, c, _ in expected]
    for (_, _, problem), (_, _, start) in zip(found, expected, strict=True):
        assert problem.startswith(start), problem
    assert all(e.fix for e in report.errors)
    rate_fix = report.errors[-1].fix
    assert rate_fix.endswith("请在“确认理由”列填写理由后重新上传。")
    assert len(report.rows) == 2
    with pytest.raises(oi.ImportRefused):
        oi.commit(report, users["city_staff"])
    assert Observation.objects.count() == 0


def test_an_implausible_row_needs_a_filled_confirmation_column(
    nanyang_plan: Plan, users: dict[str, Any]
) -> None:
    user = users["city_staff"]
    today = timezone.localdate().isoformat()
    earlier = f"hnte_count,南阳市,{LAST - 1},300,正式数,{today},统计公报"
    oi.commit(oi.validate_file(csv_bytes([earlier]), user, nanyang_plan), user)
    jump = f"hnte_count,南阳市,{LAST},1000,正式数,{today},统计公报"
    drop = f"platforms,南阳市,{LAST},10,正式数,{today},统计公报"
    platforms_before = f"platforms,南阳市,{LAST - 1},100,正式数,{today},统计公报"
    report = oi.validate_file(csv_bytes([jump, drop, platforms_before]), user, nanyang_plan)
    assert problems(report) == [
        (
            2,
            "数值（D 列）",
            f"数值 1000 是上年的 3.3 倍，超过 3 倍（{LAST - 1} 年计入的数值为 300）。",
        ),
        (  # compared with the previous year of the same file, although it comes later
            3,
            "数值（D 列）",
            f"数值 10 不足上年的 1/3（{LAST - 1} 年计入的数值为 100），变化异常。",
        ),
    ]
    header = HEADER + ",确认理由"
    unconfirmed = oi.validate_file(
        csv_bytes([jump + ",", drop + ",口径调整"], header=header), user, nanyang_plan
    )
    assert [e.row for e in unconfirmed.errors] == [2]
    confirmed = oi.validate_file(
        csv_bytes(
            [jump + ",含省级认定", drop + ",口径调整", platforms_before + ","], header=header
        ),
        user,
        nanyang_plan,
    )
    assert confirmed.errors == []
    assert oi.commit(confirmed, user).created == 3
    saved = Observation.objects.get(indicator__code="hnte_count", value=1000)
    assert saved.confirmed_reason == "含省级认定"
    assert saved.confirmed_check.startswith("数值 1000 是上年的 3.3 倍")
    plain = Observation.objects.get(indicator__code="platforms", value=100)
    assert (plain.confirmed_check, plain.confirmed_reason) == ("", "")  # nothing to confirm


def test_a_withdrawn_figure_neither_blocks_nor_is_compared(
    nanyang_plan: Plan, users: dict[str, Any]
) -> None:
    user = users["city_staff"]
    row = GOOD_ROWS[1]  # hnte_count 2022 350 (2023-04-01)
    oi.commit(oi.validate_file(csv_bytes([row]), user, nanyang_plan), user)
    withdraw_observation(user, Observation.objects.get(), "来源有误")
    again = oi.validate_file(csv_bytes([row.replace(",350,", ",355,")]), user, nanyang_plan)
    assert again.errors == [] and again.to_create == 1  # the withdrawn twin is no vintage
    later = "hnte_count,南阳市,2023,1200,正式数,2024-04-01,2023 年南阳市统计公报"
    assert oi.validate_file(csv_bytes([later]), user, nanyang_plan).errors == []
