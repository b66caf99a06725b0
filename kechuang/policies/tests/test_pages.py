"""The pages: a run's results and exports, the notice in Excel and Word, the simulation page
with its chart data, the enterprise's page; bad input shown in Chinese, never a 500."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from kechuang.policies.models import Policy
from kechuang.policies.tests.conftest import RD_TEXT

pytestmark = pytest.mark.django_db


def test_new_policy_page_shows_the_faults(client_for: Any) -> None:
    client = client_for("city_staff")
    page = client.post("/policies/new/", {"text": RD_TEXT.replace("rate: 0.1", "rate: 2")})
    assert page.status_code == 200
    assert "text（amount.rate）：比例应大于 0 且不超过 1" in page.content.decode()
    assert Policy.objects.count() == 0


def test_run_page_and_entitled_export(client_for: Any, in_notice: Any) -> None:
    client = client_for("city_staff")
    page = client.get(f"/policies/runs/{in_notice.pk}/").content.decode()
    assert "符合条件 4 家" in page and "应兑现合计 241000.00 元" in page
    assert "2025 年研发费用总额 300 − 2024 年 150 = 150 万元" in page
    sheet = load_workbook(
        io.BytesIO(client.get(f"/policies/runs/{in_notice.pk}/?format=xlsx").content)
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "研发后补助（测试） 2025 年度（第 1 版规则）"
    assert rows[2][0] == "卧龙测试企业（测试）" and rows[2][5] == 150000
    county = client_for("county_staff").get(f"/policies/runs/{in_notice.pk}/?format=xlsx")
    names = [
        r[0]
        for r in list(load_workbook(io.BytesIO(county.content)).active.iter_rows(values_only=True))[
            2:
        ]
    ]
    assert sorted(names) == ["卧龙测试企业（测试）", "卧龙第三企业（测试）", "卧龙第五企业（测试）"]


def test_notice_in_excel_and_word(client_for: Any, in_notice: Any) -> None:
    anonymous = client_for("anonymous")
    page = anonymous.get(f"/policies/runs/{in_notice.pk}/notice/").content.decode()
    assert "卧龙第五企业" not in page  # a near miss is not in the notice
    sheet = load_workbook(
        io.BytesIO(anonymous.get(f"/policies/runs/{in_notice.pk}/notice/?format=xlsx").content)
    ).active
    assert [r[1] for r in list(sheet.iter_rows(values_only=True))[2:]] == [
        "宛城测试企业（测试）",
        "宛城第四企业（测试）",
        "卧龙测试企业（测试）",
        "卧龙第三企业（测试）",
    ]
    word = Document(
        io.BytesIO(anonymous.get(f"/policies/runs/{in_notice.pk}/notice/?format=docx").content)
    )
    text = "\n".join(p.text for p in word.paragraphs)
    assert "拟兑现名单的公示" in text and "合计 4 家，241,000.00 元。" in text
    assert len(word.tables[0].rows) == 5


def test_simulation_page(client_for: Any, computed: Any) -> None:
    run = computed()
    client = client_for("city_staff")
    page = client.get(
        f"/policies/{run.policy.pk}/simulate/", {"year": "2025", "changes": "amount.cap = 30000"}
    ).content.decode()
    assert 'data-testid="after-total">91000.00' in page
    assert "simulation-data" in page
    bad = client.get(f"/policies/{run.policy.pk}/simulate/", {"year": "20x5", "changes": "cap"})
    text = bad.content.decode()
    assert bad.status_code == 200
    assert "参数调整第 1 行应写成“参数路径 = 数值”" in text and "年度应为 2000–2100" in text


def test_enterprise_page_confirm_and_masked(client_for: Any, in_notice: Any) -> None:
    client = client_for("enterprise")
    mine = in_notice.entitlements.get(organization__name="卧龙测试企业（测试）")
    bad = client.post(
        f"/policies/entitlements/{mine.pk}/act/",
        {"action": "confirm", "bank_name": "中国银行", "bank_account": "12"},
        follow=True,
    )
    assert "银行账号：银行账号应为 12–25 位数字" in bad.content.decode()
    client.post(
        f"/policies/entitlements/{mine.pk}/act/",
        {"action": "confirm", "bank_name": "中国银行", "bank_account": "6217000012345678"},
    )
    page = client.get("/policies/mine/").content.decode()
    assert "************5678" in page and "6217000012345678" not in page
    assert "企业已确认" in page


def test_bad_notice_dates_on_the_page_are_named(client_for: Any, computed: Any) -> None:
    run = computed()
    client = client_for("city_staff")
    answer = client.post(
        f"/policies/runs/{run.pk}/act/",
        {"action": "notice", "start": "2026-13-45", "end": "2026-05-01"},
        follow=True,
    )
    assert answer.status_code == 200
    assert "公示开始：" in answer.content.decode()
    run.refresh_from_db()
    assert run.stage == "review" and run.notice_start is None
