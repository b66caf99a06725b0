"""Observation pages (list, form, detail with history and conflict resolution, import), the API
under /api/monitoring/data and the report download."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from kechuang.monitoring.models import Observation, Plan, ReviewState
from kechuang.monitoring.services import load_plan_file

BASE = "/monitoring/observations/"
API = "/api/monitoring/data/observations"
HEADER = "indicator,area,period,value,kind,as_of,source"


@pytest.fixture
def nanyang_plan(reference: None) -> Plan:
    return load_plan_file(settings.DATA_DIR / "plans" / "nanyang-14th.yaml")


@pytest.fixture(autouse=True)
def upload_dir(tmp_path: Path, settings: Any) -> Path:
    settings.MEDIA_ROOT = tmp_path  # the staged uploads go to MEDIA_ROOT/imports
    return tmp_path / "imports"


FORM = {
    "indicator": "hnte_count",
    "area": "411300",
    "period": "2022",
    "value": "350",
    "kind": "actual",
    "as_of": "2023-04-01",
    "source": "2022 年南阳市统计公报",
}


def test_form_creates_and_second_source_conflicts_then_resolved(
    nanyang_plan: Plan, client_for: Any, users: dict[str, Any]
) -> None:
    client = client_for("city_staff")
    page = client.get(BASE + "new/")
    assert page.status_code == 200 and "录入监测值" in page.content.decode()
    response = client.post(BASE + "new/", FORM)
    assert response.status_code == 302
    first = Observation.objects.get()
    assert response["Location"] == f"{BASE}{first.pk}/"
    assert first.entered_by == users["city_staff"] and first.state == ReviewState.OK
    other = client.post(BASE + "new/", {**FORM, "value": "360", "source": "省科技厅名单"})
    assert other.status_code == 302
    assert set(Observation.objects.values_list("state", flat=True)) == {ReviewState.CONFLICT}
    second = Observation.objects.get(value=360)
    detail = client.get(f"{BASE}{second.pk}/")
    html = detail.content.decode()
    assert 'data-testid="resolve-form"' in html and "2022 年南阳市统计公报" in html
    assert len(detail.context["history"]) == 2
    missing_note = client.post(f"{BASE}{second.pk}/resolve/", {"decision": "keep", "note": " "})
    assert missing_note.status_code == 302
    assert Observation.objects.get(pk=second.pk).state == ReviewState.CONFLICT
    resolved = client.post(
        f"{BASE}{second.pk}/resolve/", {"decision": "keep", "note": "以省科技厅认定名单为准"}
    )
    assert resolved.status_code == 302
    states = dict(Observation.objects.values_list("value", "state"))
    assert states == {350: ReviewState.REJECTED, 360: ReviewState.OK}
    assert Observation.objects.get(value=350).state_note == "以省科技厅认定名单为准"


def test_form_errors_in_chinese_and_nothing_saved(nanyang_plan: Plan, client_for: Any) -> None:
    client = client_for("city_staff")
    bad = {**FORM, "period": "2021-2025", "kind": "cumulative", "value": "十", "as_of": ""}
    response = client.post(BASE + "new/", bad)
    assert response.status_code == 422
    errors = response.context["errors"]
    assert errors["value"] == ["“十”不是有效的数字。 请填写数字，如 420 或 12.5。"]
    assert errors["as_of"][0].startswith("“发布日期”为必填项")
    assert Observation.objects.count() == 0
    wrong = client.post(BASE + "new/", {**FORM, "kind": "cumulative"})
    assert "累计数的期间应为年份区间" in wrong.context["errors"]["period"][0]


def test_county_form_scope_and_expert_refused(nanyang_plan: Plan, client_for: Any) -> None:
    county = client_for("county_staff")
    page = county.get(BASE + "new/")
    assert [a.name for a in page.context["areas"]] == ["卧龙区"]
    response = county.post(BASE + "new/", {**FORM, "area": "宛城区"})
    assert response.status_code == 422
    assert response.context["errors"]["area"][0].startswith(
        "超出您的管辖范围：您只能录入卧龙区（含下级区域）的监测值。"
    )
    assert county.post(BASE + "new/", {**FORM, "area": "卧龙区"}).status_code == 302
    assert client_for("expert").get(BASE + "new/").status_code == 403
    assert client_for("enterprise").get(BASE + "import/").status_code == 403


def test_list_filters_vintages_and_scope(nanyang_plan: Plan, client_for: Any) -> None:
    client = client_for("city_staff")
    client.post(BASE + "new/", FORM)
    client.post(BASE + "new/", {**FORM, "value": "352", "as_of": "2023-06-01"})  # a revision
    client.post(BASE + "new/", {**FORM, "area": "卧龙区", "value": "40"})
    client.post(BASE + "new/", {**FORM, "area": "卧龙区", "value": "41", "as_of": "2023-06-01"})
    client.post(BASE + "new/", {**FORM, "value": "360", "source": "省科技厅名单"})  # conflicts
    page = client.get(BASE)
    assert page.status_code == 200
    assert page.context["current"].paginator.count == 5
    html = page.content.decode()
    assert "已被修订" in html and "来源冲突，待核实" in html and "最新版本" in html
    assert page.context["conflict_count"] == 3
    assert client.get(BASE, {"area": "411303"}).context["current"].paginator.count == 2
    assert client.get(BASE, {"state": "conflict"}).context["current"].paginator.count == 3
    assert client.get(BASE, {"year": "2021"}).context["current"].paginator.count == 0
    assert client.get(BASE, {"kind": "actual", "indicator": "hnte_count"}).status_code == 200
    assert client.get(BASE, {"year": "abc"}).context["filter_errors"] == [
        "年度应为四位数字，如 2023。"
    ]
    county = client_for("county_staff").get(BASE)
    assert county.context["current"].paginator.count == 2  # only 卧龙区
    other = Observation.objects.exclude(area__name="卧龙区").first()
    assert client_for("county_staff").get(f"{BASE}{other.pk}/").status_code == 404


def test_import_page_dry_run_then_commit(
    nanyang_plan: Plan, client_for: Any, upload_dir: Path
) -> None:
    client = client_for("city_staff")
    rows = [
        "hnte_count,南阳市,2021,300,正式数,2022-04-01,2021 年统计公报",
        "hnte_count,南阳市,2022,350,正式数,2023-04-01,2022 年统计公报",
    ]
    content = ("\n".join([HEADER, *rows]) + "\n").encode("gb18030")
    upload = SimpleUploadedFile("监测值.csv", content, content_type="text/csv")
    response = client.post(BASE + "import/", {"file": upload})
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.ok, report.to_create, report.file_format) == (True, 2, "CSV（GB18030）")
    assert Observation.objects.count() == 0
    assert len(list(upload_dir.iterdir())) == 1  # kept between the dry run and the commit
    done = client.post(BASE + "import/", {"action": "commit"})
    assert done.status_code == 302 and Observation.objects.count() == 2
    assert list(upload_dir.iterdir()) == []
    expired = client.post(BASE + "import/", {"action": "commit"})
    assert expired.status_code == 302 and Observation.objects.count() == 2


def test_import_page_reports_errors_and_refuses(nanyang_plan: Plan, client_for: Any) -> None:
    client = client_for("city_staff")
    content = (HEADER + "\nhnte_count,南阳市,2022,350,正式数,2023-04-01,\n").encode()
    upload = SimpleUploadedFile("bad.csv", content, content_type="text/csv")
    response = client.post(BASE + "import/", {"file": upload})
    assert response.status_code == 422
    assert "“来源”为必填项，不能为空。" in response.content.decode()
    refused = client.post(BASE + "import/", {"action": "commit"})
    assert refused.status_code == 422 and Observation.objects.count() == 0
    assert client.post(BASE + "import/", {}).status_code == 422


def test_api_create_list_detail_resolve(nanyang_plan: Plan, client_for: Any) -> None:
    client = client_for("city_staff")
    created = client.post(API, json.dumps(FORM), content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["indicator"], body["area_name"], body["kind_display"]) == (
        "hnte_count",
        "南阳市",
        "正式数",
    )
    assert body["vintages"][0]["id"] == body["id"]
    second = client.post(
        API, json.dumps({**FORM, "value": 360, "source": "省科技厅名单"}), "application/json"
    ).json()
    assert second["state"] == "conflict"
    listing = client.get(API, {"state": "conflict", "indicator": "hnte_count"}).json()
    assert listing["count"] == 2
    assert client.get(API, {"area": "卧龙区"}).json()["count"] == 0
    detail = client.get(f"{API}/{second['id']}").json()
    assert detail["state_display"] == "来源冲突，待核实"
    resolved = client.post(
        f"{API}/{second['id']}/resolve",
        json.dumps({"keep": False, "note": "该名单为预公示数"}),
        "application/json",
    )
    assert resolved.status_code == 200 and resolved.json()["state"] == "rejected"
    first = Observation.objects.get(pk=body["id"])
    assert first.state == ReviewState.OK  # rejecting one leaves the other to count
    again = client.post(
        f"{API}/{second['id']}/resolve", json.dumps({"keep": True, "note": "x"}), "application/json"
    )
    assert again.status_code == 409
    assert again.json()["message"] == "该监测值不处于来源冲突状态，无需核实。"


def test_api_errors_have_the_one_shape(nanyang_plan: Plan, client_for: Any) -> None:
    client = client_for("city_staff")
    bad = client.post(
        API, json.dumps({**FORM, "period": "2023年", "kind": "估算"}), "application/json"
    )
    assert bad.status_code == 422
    errors = bad.json()["errors"]
    assert errors["period"][0].startswith("无法识别的期间“2023年”")
    assert errors["kind"][0].startswith("未知的数据类型“估算”。")
    county = client_for("county_staff").post(
        API, json.dumps({**FORM, "area": "宛城区"}), "application/json"
    )
    assert county.status_code == 403
    assert county.json()["message"].startswith("超出您的管辖范围")
    expert = client_for("expert").post(API, json.dumps(FORM), "application/json")
    assert expert.status_code == 403
    assert client_for("anonymous").get(API).status_code == 401
    assert Observation.objects.count() == 0


def test_report_download(nanyang_plan: Plan, client_for: Any) -> None:
    client_for("city_staff").post(BASE + "new/", FORM)
    county = client_for("county_staff").get(
        "/monitoring/report.docx", {"plan": "nanyang-14", "year": "2024"}
    )
    assert county.status_code == 403  # the city's report quotes every county
    response = client_for("city_staff").get(
        "/monitoring/report.docx", {"plan": "nanyang-14", "year": "2024"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    assert any("规划实施情况监测报告" in p.text for p in document.paragraphs)
    assert client_for("enterprise").get("/monitoring/report.docx").status_code == 403
    outside = client_for("city_staff").get("/monitoring/report.docx", {"year": "2040"})
    assert outside.status_code == 302
    assert client_for("city_staff").get("/monitoring/report.docx", {"plan": "x"}).status_code == 404
