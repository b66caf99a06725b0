"""The market's pages: forms answer bad input in Chinese and change nothing, filters that do not
parse are named (never a 500), exports, the detail's explanations, the kanban, the lists."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from kechuang.market import services
from kechuang.market.models import Match, TechDemand
from kechuang.market.tests.conftest import DEMAND

pytestmark = pytest.mark.django_db


def test_new_demand_form_saves_a_draft(client_for: Callable[[str], Any]) -> None:
    answer = client_for("enterprise").post("/market/demands/new/", {**DEMAND, "budget": "30"})
    assert answer.status_code == 302
    demand = TechDemand.objects.get()
    assert answer["Location"] == f"/market/demands/{demand.pk}/"
    assert (demand.status, str(demand.budget)) == ("draft", "30.00")


def test_new_demand_form_names_the_bad_field(client_for: Callable[[str], Any]) -> None:
    answer = client_for("enterprise").post("/market/demands/new/", {**DEMAND, "budget": "-3"})
    assert answer.status_code == 422
    assert "预算：数值过小" in answer.content.decode()
    answer = client_for("enterprise").post("/market/demands/new/", {"title": "只有名称"})
    assert answer.status_code == 422 and "技术难题" in answer.content.decode()
    assert TechDemand.objects.count() == 0


def test_a_bad_filter_is_named_not_an_error(client_for: Callable[[str], Any], market: dict) -> None:
    answer = client_for("city_staff").get("/market/demands/", {"status": "whatever"})
    assert answer.status_code == 200
    assert "筛选条件“状态”" in answer.content.decode()
    export = client_for("city_staff").get(
        "/market/demands/", {"status": "whatever", "format": "xlsx"}
    )
    assert export["Content-Type"].startswith("text/html")  # a misread filter is never exported


def test_export_lists_the_filtered_rows(client_for: Callable[[str], Any], market: dict) -> None:
    answer = client_for("city_staff").get(
        "/market/achievements/", {"maturity": "pilot", "format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(answer.content)).active
    titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ["一种隔爆型电动机的冷却装置"]


def test_detail_shows_highlighted_explanations(
    client_for: Callable[[str], Any], market: dict
) -> None:
    page = client_for("county_staff").get(f"/market/demands/{market['demand'].pk}/")
    html = page.content.decode()
    marked = re.findall(r'<mark data-testid="hl">([^<]*)</mark>', html)
    assert any("电动机" in m for m in marked) and any("冷却" in m for m in marked)
    assert "<b>电机</b> ≈ <b>电动机</b>" in html and "GB/T 2900.25" in html
    assert 'data-testid="follow"' in html


def test_step_on_the_page_reports_a_missing_reason(
    client_for: Callable[[str], Any], publish: Callable[..., Any]
) -> None:
    demand = publish("enterprise", TechDemand, DEMAND, until="submit")
    client = client_for("county_staff")
    answer = client.post(f"/market/demands/{demand.pk}/step/", {"step": "return"}, follow=True)
    assert "退回理由" in answer.content.decode()
    demand.refresh_from_db()
    assert demand.status == "submitted"


def test_board_moves_a_card(client_for: Callable[[str], Any], market: dict, users: dict) -> None:
    match = services.create_match(users["county_staff"], market["demand"], market["achievement"])
    client = client_for("county_staff")
    assert 'data-testid="column-recommended"' in client.get("/market/board/").content.decode()
    client.post(f"/market/matches/{match.pk}/move/", {"status": "contacted"})
    assert Match.objects.get(pk=match.pk).status == "contacted"
    answer = client.post(f"/market/matches/{match.pk}/move/", {"status": "failed"}, follow=True)
    assert "原因" in answer.content.decode()
    assert Match.objects.get(pk=match.pk).status == "contacted"


def test_list_exports_in_word_and_excel(
    client_for: Callable[[str], Any], market: dict, users: dict, wolong: Any
) -> None:
    published = services.issue_list(users["city_staff"], "demands", [market["demand"].pk], wolong)
    anonymous = client_for("anonymous")
    document = Document(
        io.BytesIO(anonymous.get(f"/market/lists/{published.pk}/list.docx").content)
    )
    assert document.paragraphs[0].text == "第1期技术需求清单"
    assert document.tables[0].rows[1].cells[1].text == DEMAND["title"]
    sheet = load_workbook(
        io.BytesIO(anonymous.get(f"/market/lists/{published.pk}/list.xlsx").content)
    ).active
    assert sheet["B2"].value == DEMAND["title"]
    assert "第1期技术需求清单" in anonymous.get("/market/lists/").content.decode()


def test_public_pages_never_show_unpublished(
    client_for: Callable[[str], Any], publish: Callable[..., Any], market: dict
) -> None:
    draft = publish("enterprise", TechDemand, {**DEMAND, "title": "尚未发布的需求"}, until="review")
    for role in ("anonymous", "institution", "expert"):
        html = client_for(role).get("/market/public/demands/").content.decode()
        assert DEMAND["title"] in html and "尚未发布的需求" not in html
        assert client_for(role).get(f"/market/public/demands/{draft.pk}/").status_code == 404
