"""The rule engines behind `manage.py assess` and `POST /api/cultivation/assess`."""

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

CASE = {
    "as_of": "2025-06-30",
    "registered_on": "2018-03-01",
    "tech_field": "电子信息",
    "years": [
        {
            "year": 2022,
            "sales_revenue": 2400,
            "total_revenue": 2500,
            "hightech_revenue": 1800,
            "rd_expense": 150,
            "rd_expense_domestic": 150,
            "net_assets_end": 1000,
            "total_assets_end": 3000,
            "employees_avg": 80,
            "st_staff_avg": 10,
        },
        {
            "year": 2023,
            "sales_revenue": 3200,
            "total_revenue": 3300,
            "hightech_revenue": 2500,
            "rd_expense": 220,
            "rd_expense_domestic": 220,
            "net_assets_end": 1200,
            "total_assets_end": 3500,
            "employees_avg": 85,
            "st_staff_avg": 8,
        },
        {
            "year": 2024,
            "sales_revenue": 4200,
            "total_revenue": 4300,
            "hightech_revenue": 3300,
            "rd_expense": 300,
            "rd_expense_domestic": 280,
            "net_assets_end": 1500,
            "total_assets_end": 4000,
            "employees_avg": 90,
            "st_staff_avg": 8,
        },
    ],
    "ip": {"class_i": 1, "class_ii": 2, "self_developed": True},
    "conversions_3y": 14,
    "expert_grades": {"advancement": "B", "core_support": "B"},
}


def test_command_reports_conditions_scores_and_gaps_as_json(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE), encoding="utf-8")
    out = StringIO()
    call_command(
        "assess", "--rules", "hnte-2016", "--input", str(path), "--format", "json", stdout=out
    )
    result = json.loads(out.getvalue())
    assert result["eligible"] == "fail"
    st = next(
        c
        for c in result["conditions"]
        if c["code"].startswith("st_staff") or "科技人员" in c["title"]
    )
    assert st["passed"] is False
    assert any("科技人员需增加 2 人" in g["message_zh"] for g in result["gaps"])


def test_command_refuses_bad_input_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"as_of": "2025/13/01"}', encoding="utf-8")
    with pytest.raises(CommandError, match="评估日期格式应为 YYYY-MM-DD"):
        call_command("assess", "--rules", "tsme-2022", "--input", str(path))
    with pytest.raises(CommandError, match="无法读取案例文件"):
        call_command("assess", "--rules", "tsme-2022", "--input", str(tmp_path / "missing.json"))


@pytest.mark.django_db
def test_api_assesses_with_the_same_engine(client_for: Any) -> None:
    response = client_for("enterprise").post(
        "/api/cultivation/assess?rules=hnte-2016", CASE, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ruleset"] == "hnte-2016" and body["eligible"] == "fail"
    assert body["total"]["min"] == 49 and body["total"]["max"] == 84


@pytest.mark.django_db
def test_api_bad_case_is_422_with_field_errors(client_for: Any) -> None:
    response = client_for("enterprise").post(
        "/api/cultivation/assess?rules=tsme-2022",
        {"as_of": "2025-06-30"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "registered_on" in response.json()["errors"]
    assert (
        client_for("anonymous")
        .post("/api/cultivation/assess?rules=tsme-2022", CASE, content_type="application/json")
        .status_code
        == 401
    )
