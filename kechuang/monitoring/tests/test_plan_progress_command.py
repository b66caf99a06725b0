"""`manage.py plan_progress`: the same figures as the API, as JSON or an aligned table."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kechuang.monitoring.management.commands.plan_progress import width
from kechuang.monitoring.tests import progress_data as pd

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(reference: None, users: dict[str, Any]) -> Any:
    plan = pd.load_plan()
    pd.record_hnte(users["city_staff"])
    return plan


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("plan_progress", *args, stdout=out)
    return out.getvalue()


def test_json_is_the_api_answer(plan: Any, client_for: Any) -> None:
    printed = json.loads(run("--plan", "nanyang-14", "--as-of", "2024-06-30", "--format", "json"))
    answered = client_for("city_staff").get(
        "/api/monitoring/plans/nanyang-14/progress?as_of=2024-06-30"
    )
    assert printed == answered.json()
    hnte = next(i for i in printed["indicators"] if i["code"] == "hnte_count")
    assert hnte["completion"] == pytest.approx(pd.COMPLETION)


def test_table_is_aligned_chinese_text(plan: Any) -> None:
    text = run("--plan", "nanyang-14", "--as-of", "2024-06-30")
    lines = text.splitlines()
    assert "宛政办〔2022〕52号" in lines[0] and "测算日期：2024-06-30" in lines[1]
    header = next(i for i, line in enumerate(lines) if line.startswith("指标"))
    assert "完成度" in lines[header] and "登记库计算值" in lines[header]
    hnte = next(line for line in lines if line.startswith("高新技术企业数 "))
    for cell in ("264（2020）", "500（2025）", "420（2023，正式数）", "66.1%", "正常", "0（2023）"):
        assert cell in hnte, cell
    # Columns line up in display width (CJK characters take two columns).
    table = lines[header : header + 13]
    column = width(table[0][: table[0].index("状态")])
    for line in table[2:]:
        cells = line.split()
        label = next(c for c in cells if c in ("正常", "暂无数据"))
        assert width(line[: line.index(label)]) == column, line
    assert "量化承诺（全市）" in text and "高新技术企业突破500家" in text


def test_area_and_errors(plan: Any) -> None:
    assert "区域：卧龙区" in run("--area", "卧龙区", "--as-of", "2024-06-30")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--as-of", "30/06/2024")
    with pytest.raises(CommandError, match="load_plan"):
        run("--plan", "nanyang-15")
    with pytest.raises(CommandError, match="未知的区域"):
        run("--area", "火星")
