"""The bureau's cultivation pages: funnel, pool list and export, detail, movements, screenings,
rule sets and the plan projection; scope and permissions."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from kechuang.cultivation.models import PoolEntry, ScreeningRun
from kechuang.cultivation.tests.conftest import AS_OF

pytestmark = pytest.mark.django_db


def names(page: Any) -> set[str]:
    return {e.organization.name for e in page.context["page"].object_list}


def test_funnel_counts_each_stage_and_each_area(client_for: Any, screened: Any) -> None:
    page = client_for("city_staff").get("/cultivation/")
    assert page.status_code == 200
    stages = {s["key"]: s["value"] for s in page.context["funnel"]["stages"]}
    assert stages == {
        "tsme": 3,
        "seed": 2,
        "startup": 1,
        "growing": 2,
        "mature": 1,
        "hnte": 1,
        "gazelle": 0,
        "leader": 0,
    }
    per_area = {r["area"].name: r["values"] for r in page.context["funnel"]["areas"]}
    assert per_area["宛城区"] == [1, 0, 0, 1, 0, 0, 0, 0]
    assert sum(v[5] for v in per_area.values()) == 1  # the HNTE holder is in 卧龙区
    assert "培育漏斗" in page.content.decode()
    assert page.context["funnel"]["screening_days"] == [(AS_OF, PoolEntry.objects.count())]
    assert 'data-testid="mixed-days"' not in page.content.decode()


def test_totals_mixing_screening_days_say_so(client_for: Any, screened: Any) -> None:
    # 卧龙区 screened again later: the city totals now mix two days, and the page says which.
    later = AS_OF + dt.timedelta(days=90)
    PoolEntry.objects.filter(organization__area__name="卧龙区").update(as_of=later)
    page = client_for("city_staff").get("/cultivation/")
    days = page.context["funnel"]["screening_days"]
    assert [d for d, _ in days] == [later, AS_OF]
    assert sum(n for _, n in days) == PoolEntry.objects.count()
    html = page.content.decode()
    assert "本页合计混合了不同的筛查评价基准日" in html
    assert f"{later:%Y-%m-%d}（" in html and f"{AS_OF:%Y-%m-%d}（" in html


def test_county_user_sees_only_their_area(client_for: Any, screened: Any) -> None:
    client = client_for("county_staff")
    listing = client.get("/cultivation/pool/")
    assert listing.status_code == 200
    assert "宛城成长企业（测试）" not in names(listing)
    assert "成长企业（测试）" in names(listing)
    funnel = client.get("/cultivation/").context["funnel"]
    assert funnel["root"].name == "卧龙区"
    assert {s["key"]: s["value"] for s in funnel["stages"]}["tsme"] == 2
    other = screened["wancheng"].pk
    assert client.get(f"/cultivation/pool/{other}/").status_code == 404


def test_enterprise_users_are_sent_to_their_self_assessment(client_for: Any, screened: Any) -> None:
    client = client_for("enterprise")
    response = client.get("/cultivation/")
    assert response.status_code == 302 and response["Location"].endswith("/self-assessment/")
    for url in ("/cultivation/pool/", "/cultivation/projection/", "/cultivation/movements/"):
        assert client.get(url).status_code == 403
    assert client.post("/cultivation/screenings/", {"as_of": "2025-06-30"}).status_code == 403
    assert client_for("anonymous").get("/cultivation/pool/").status_code == 302


def test_pool_list_filters_and_orders_closest_first(client_for: Any, screened: Any) -> None:
    client = client_for("city_staff")
    pool = client.get("/cultivation/pool/?stage=pool")
    ordered = [e.organization.name for e in pool.context["page"].object_list]
    assert ordered[0] == "成熟企业（测试）"
    assert ordered[1:3] == sorted(["成长企业（测试）", "宛城成长企业（测试）"])
    assert names(client.get("/cultivation/pool/?tier=growing&area=411303")) == {"成长企业（测试）"}
    ready = {
        "成熟企业（测试）",
        "高企企业（测试）",
    }  # the holder's figures meet every condition too
    assert names(client.get("/cultivation/pool/?max_failed=0")) == ready
    assert names(client.get("/cultivation/pool/?max_failed=0&stage=pool")) == {"成熟企业（测试）"}
    assert names(client.get("/cultivation/pool/?stage=hnte")) == {"高企企业（测试）"}
    assert names(client.get("/cultivation/pool/?data_status=no_data")) >= {"无数据企业（测试）"}
    assert names(client.get("/cultivation/pool/?q=宛城成长")) == {"宛城成长企业（测试）"}


def test_bad_filters_answer_422_in_chinese(client_for: Any, screened: Any) -> None:
    page = client_for("city_staff").get("/cultivation/pool/?tier=gold&max_failed=x&area=nowhere")
    assert page.status_code == 422
    errors = page.context["errors"]
    assert "种子型" in errors["tier"][0]
    assert "整数" in errors["max_failed"][0]
    assert "未知的区域：nowhere" in errors["area"][0]  # the registry's own lookup message
    export = client_for("city_staff").get("/cultivation/pool/?tier=gold&format=xlsx")
    assert export.status_code == 422 and export["Content-Type"].startswith("text/html")


def test_export_is_the_filtered_list_read_back(client_for: Any, screened: Any) -> None:
    response = client_for("city_staff").get("/cultivation/pool/?stage=pool&format=xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("企业名称", "统一社会信用代码", "所在区域", "所属产业", "后备库层级")
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {
        e.organization.name
        for e in PoolEntry.objects.exclude(tier="").select_related("organization")
    }
    growing = by_name["成长企业（测试）"]
    assert growing[4] == "成长型" and growing[7] == "是"
    assert growing[10] == "科技人员占比"
    assert "科技人员需增加" in growing[11]
    gazelle = rows[0].index("河南省瞪羚企业")
    assert growing[gazelle] == "不符合"  # not an HNTE holder: fails the one verified criterion
    assert growing[16] == AS_OF or growing[16].date() == AS_OF


def test_detail_shows_gaps_history_and_tier_rules(client_for: Any, screened: Any) -> None:
    org = screened["growing"]
    page = client_for("city_staff").get(f"/cultivation/pool/{org.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "科技人员需增加 2 人" in html
    assert page.context["movements"].count() == 1  # entered the pool as 成长型
    codes = {item["rule_set"].code for item in page.context["rule_sets"]}
    assert "henan-gazelle" in codes
    gazelle = next(i for i in page.context["rule_sets"] if i["rule_set"].code == "henan-gazelle")
    assert gazelle["unset"]  # the growth threshold awaits the bureau


def test_screening_form_queues_a_run_and_refuses_bad_input(client_for: Any, screened: Any) -> None:
    client = client_for("city_staff")
    before = ScreeningRun.objects.count()
    bad = client.post("/cultivation/screenings/", {"as_of": "2025-13-01"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.content.decode()
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    assert client.post("/cultivation/screenings/", {"as_of": future}).status_code == 422
    assert ScreeningRun.objects.count() == before
    ok = client.post("/cultivation/screenings/", {"as_of": "2025-06-30", "area": "411303"})
    assert ok.status_code == 302
    run = ScreeningRun.objects.latest("id")
    assert run.status == "queued" and run.area.name == "卧龙区"
    listing = client.get(ok["Location"])
    assert "已加入后台任务队列" in listing.content.decode()


def test_county_user_cannot_queue_another_area(client_for: Any, screened: Any) -> None:
    response = client_for("county_staff").post(
        "/cultivation/screenings/", {"as_of": "2025-06-30", "area": "411302"}
    )
    assert response.status_code == 403


def test_rule_sets_page_marks_what_the_bureau_must_confirm(client_for: Any, screened: Any) -> None:
    page = client_for("city_staff").get("/cultivation/rules/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "待局方确认" in html and "河南省瞪羚企业" in html
    statuses = {i["rule_set"].code: i["needs_confirmation"] for i in page.context["items"]}
    assert statuses["henan-gazelle"] is True
    assert page.context["policy"].version == "nanyang-2026-draft"


def test_projection_uses_the_plan_targets_and_the_pool(
    client_for: Any, screened: Any, plan: Any
) -> None:
    page = client_for("city_staff").get("/cultivation/projection/?support=1")
    assert page.status_code == 200
    inp, result = page.context["inp"], page.context["result"]
    assert result.hnte_target == 500 and result.tsme_target == 1350
    assert inp.pool == {"mature": 1, "growing": 2, "startup": 1, "seed": 2}
    assert inp.hnte_now == 1  # valid on 2025-12-31
    assert [e.organization.name for e in page.context["chosen"]] == ["成熟企业（测试）"]
    assert inp.supported == ("mature",)
    bad = client_for("city_staff").get("/cultivation/projection/?support=-3")
    assert bad.status_code == 422 and "扶持企业数" in bad.context["errors"]["support"][0]


def test_projection_to_a_later_year_typed_by_staff(
    client_for: Any, screened: Any, plan: Any
) -> None:
    client = client_for("city_staff")
    page = client.get("/cultivation/projection/?target_year=2027&hnte_target=3&tsme_target=9")
    result = page.context["result"]
    assert (result.target_year, result.hnte_target, result.tsme_target) == (2027, 3, 9)
    assert [y.year for y in result.years] == [2026, 2027]
    assert "按本页输入测算" in page.content.decode()
    bad = client.get("/cultivation/projection/?target_year=99999&hnte_target=-1")
    assert bad.status_code == 422
    assert set(bad.context["errors"]) == {"target_year", "hnte_target"}


def test_projection_input_counts_conversions_and_retention(
    users: dict[str, Any], make_org: Any, tier_rules: None
) -> None:
    from kechuang.cultivation.selectors import projection_input
    from kechuang.cultivation.tests.conftest import qualify

    a, b, c = (make_org(name=f"转化{i}（测试）") for i in range(3))
    # a: TSME 2022, HNTE from 2023 (a conversion in 2023); b: TSME 2022–2023, never HNTE;
    # c: HNTE 2021–2023 then lapsed (a holder lost in 2024).
    qualify(a, "TSME", dt.date(2022, 5, 1), dt.date(2023, 4, 30))
    qualify(a, "HNTE", dt.date(2023, 11, 1), dt.date(2026, 10, 31))
    qualify(b, "TSME", dt.date(2022, 5, 1), dt.date(2024, 4, 30))
    qualify(c, "HNTE", dt.date(2021, 11, 1), dt.date(2024, 10, 31))
    inp = projection_input(users["city_staff"], 2025, 500, 1350, first_year=2021)
    assert inp is not None
    assert inp.base_year == 2023  # the newest issue year
    assert dict(inp.hnte_history) == {2021: 1, 2022: 1, 2023: 2}
    assert dict(inp.tsme_history) == {2021: 0, 2022: 2, 2023: 1}
    # 2023: candidates {a, b} at end 2022, converted {a} → 1/2; 2022: none.
    assert inp.overall_rate == 0.5
    # Holders kept: 2022 {c}→{c}, 2023 {c}→{a, c}: 2 of 2.
    assert inp.retention == 1.0
    assert inp.tier_rates is None  # no screening history yet


def test_admin_lists_rule_sets_and_shows_screening_results_read_only(
    client_for: Any, screened: Any
) -> None:
    from kechuang.cultivation.models import TierRuleSet

    client = client_for("city_admin")
    assert client.get("/admin/cultivation/tierruleset/").status_code == 200
    gazelle = TierRuleSet.objects.get(code="henan-gazelle")
    assert client.get(f"/admin/cultivation/tierruleset/{gazelle.pk}/change/").status_code == 200
    entry = PoolEntry.objects.first()
    assert client.get("/admin/cultivation/poolentry/").status_code == 200
    view = client.get(f"/admin/cultivation/poolentry/{entry.pk}/change/")
    assert view.status_code == 200 and not view.context["has_change_permission"]


def test_movements_page_sums_a_run_as_a_from_to_matrix(client_for: Any, city: Any) -> None:
    from kechuang.cultivation.models import TierMovement
    from kechuang.cultivation.services import execute_run

    first = execute_run(ScreeningRun.objects.create(as_of=dt.date(2024, 6, 30)).pk)
    second = execute_run(ScreeningRun.objects.create(as_of=AS_OF).pk)
    page = client_for("city_staff").get("/cultivation/movements/")
    assert page.status_code == 200 and page.context["run"] == second
    matrix = page.context["matrix"]
    assert matrix["total"] == TierMovement.objects.filter(run=second).count() > 0
    assert matrix["columns"] == ["未入库", "种子型", "初创型", "成长型", "成熟型", "高新技术企业"]
    earlier = client_for("city_staff").get(f"/cultivation/movements/?run={first.pk}")
    first_total = TierMovement.objects.filter(run=first).count()
    assert earlier.context["matrix"]["total"] == first_total
    assert sum(earlier.context["matrix"]["rows"][0]["cells"]) == first_total  # all entered
    county = client_for("county_staff").get("/cultivation/movements/")
    in_wolong = TierMovement.objects.filter(run=second, organization__area__name="卧龙区")
    assert county.context["matrix"]["total"] == in_wolong.count()
    assert client_for("city_staff").get("/cultivation/movements/?run=999").status_code == 422
    # The filters (filters.movement_filters): the area, the stage moved to
    wancheng = client_for("city_staff").get("/cultivation/movements/?area=宛城区")
    listed = list(wancheng.context["page"].object_list)
    expected = TierMovement.objects.filter(run=second, organization__area__name="宛城区")
    assert sorted(m.pk for m in listed) == sorted(expected.values_list("pk", flat=True))
    seeds = client_for("city_staff").get("/cultivation/movements/?to=seed")
    to_seed = TierMovement.objects.filter(run=second, to_tier="seed").count()
    assert seeds.context["page"].paginator.count == to_seed
    assert {m.to_tier for m in seeds.context["page"].object_list} == (
        {"seed"} if to_seed else set()
    )
    bad = client_for("city_staff").get("/cultivation/movements/?to=nowhere")
    assert bad.status_code == 422 and bad.context["errors"] == {"to": ["未知的层级。"]}
