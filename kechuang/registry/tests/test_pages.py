"""Registry pages: lists with filters and scope, details with history, forms with Chinese errors."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kechuang.core.models import AuditEntry
from kechuang.core.validators import validate_phone
from kechuang.registry.models import InnovationPlatform, Organization, Qualification

pytestmark = pytest.mark.django_db


def test_organization_list_shows_only_the_county_users_area(client_for: Any, orgs: Any) -> None:
    page = client_for("county_staff").get("/registry/organizations/")
    assert page.status_code == 200
    names = [obj.name for obj, _ in page.context["rows"]]
    assert sorted(names) == sorted(["卧龙测试企业（测试）", "卧龙测试学院（测试）"])
    assert "宛城测试企业" not in page.content.decode()


def test_list_filters_and_bad_filter_values(client_for: Any, orgs: Any) -> None:
    client = client_for("city_staff")
    page = client.get("/registry/organizations/", {"area": "宛城区"})
    assert [obj.name for obj, _ in page.context["rows"]] == ["宛城测试企业（测试）"]
    bad = client.get("/registry/organizations/", {"kind": "spaceship"})
    assert bad.status_code == 200 and "取值不在允许范围内" in bad.content.decode()


def test_empty_list_has_a_real_empty_state(client_for: Any, users: Any) -> None:
    page = client_for("city_staff").get("/registry/patents/").content.decode()
    assert (
        'data-testid="empty-state"' in page
        and "尚无专利记录" in page
        and "Excel 模板批量导入" in page
    )


def test_detail_shows_fields_related_records_and_change_history(client_for: Any, orgs: Any) -> None:
    org = orgs["wolong"]
    Qualification.objects.create(
        organization=org,
        kind="HNTE",
        issued_on=dt.date(2023, 11, 1),
        expires_on=dt.date(2026, 10, 31),
        issuer_level="national",
        verification="verified",
    )
    client = client_for("city_staff")
    client.post(
        f"/registry/organizations/{org.pk}/edit/",
        {"uscc": org.uscc, "name": "卧龙改名企业（测试）", "kind": "enterprise", "area": "卧龙区"},
    )
    page = client.get(f"/registry/organizations/{org.pk}/").content.decode()
    assert "卧龙改名企业（测试）" in page and "高新技术企业" in page
    assert "卧龙测试企业（测试）" in page  # the old name, in the change history


def test_create_form_saves_through_the_same_rules_as_the_api(client_for: Any, orgs: Any) -> None:
    client = client_for("county_staff")
    response = client.post(
        "/registry/platforms/new/",
        {
            "name": "卧龙测试重点实验室",
            "kind": "key_lab",
            "level": "municipal",
            "host": orgs["wolong"].uscc,
            "co_builders": orgs["wolong_univ"].uscc,
            "status": "operating",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    platform = InnovationPlatform.objects.get(name="卧龙测试重点实验室")
    assert platform.area.name == "卧龙区" and [o.pk for o in platform.co_builders.all()] == [
        orgs["wolong_univ"].pk
    ]


def test_form_errors_are_chinese_and_nothing_is_saved(client_for: Any, orgs: Any) -> None:
    client = client_for("county_staff")
    response = client.post(
        "/registry/organizations/new/",
        {
            "uscc": "91411303000000001X",
            "name": "校验位错误企业",
            "kind": "enterprise",
            "area": "卧龙区",
        },
    )
    assert response.status_code == 422
    assert "统一社会信用代码校验位错误" in response.content.decode()
    uscc = next(f for f in response.context["fields"] if f.name == "uscc")
    assert len(uscc.errors) == 1  # reported once, not by two validators
    other_area = client.post(
        "/registry/platforms/new/",
        {
            "name": "越权平台",
            "kind": "key_lab",
            "level": "municipal",
            "host": orgs["wancheng"].uscc,
        },
    )
    # Another county's organization is as unknown to a county user as a missing one
    assert other_area.status_code == 422
    assert "越权平台" in other_area.content.decode()  # the form comes back with what was typed
    assert f"未知的单位（统一社会信用代码）：{orgs['wancheng'].uscc}" in other_area.content.decode()
    assert not Organization.objects.filter(name="校验位错误企业").exists()
    assert not InnovationPlatform.objects.exists()


def test_edit_form_is_prefilled_and_other_areas_are_404(client_for: Any, orgs: Any) -> None:
    client = client_for("county_staff")
    page = client.get(f"/registry/organizations/{orgs['wolong'].pk}/edit/")
    assert page.status_code == 200 and orgs["wolong"].uscc in page.content.decode()
    assert client.get(f"/registry/organizations/{orgs['wancheng'].pk}/edit/").status_code == 404
    assert client.get(f"/registry/organizations/{orgs['wancheng'].pk}/").status_code == 404


def test_enterprise_user_cannot_delete_but_sees_no_button(client_for: Any, orgs: Any) -> None:
    client = client_for("enterprise")
    page = client.get(f"/registry/organizations/{orgs['wolong'].pk}/").content.decode()
    assert "删除</button>" not in page
    assert client.post(f"/registry/organizations/{orgs['wolong'].pk}/delete/").status_code == 403


def test_figures_pages_run_the_whole_workflow(client_for: Any, orgs: Any) -> None:
    from kechuang.registry.models import AnnualReport, FigureSubmission

    enterprise = client_for("enterprise")
    form = enterprise.get(
        "/registry/figures/new/", {"organization": orgs["wolong"].uscc, "year": 2024}
    )
    assert form.status_code == 200 and "研发费用总额" in form.content.decode()
    bad = enterprise.post(
        "/registry/figures/new/",
        {
            "organization": orgs["wolong"].uscc,
            "year": "2024",
            "total_revenue": "100",
            "sales_revenue": "150",
        },
    )
    assert bad.status_code == 422 and "不能大于总收入" in bad.content.decode()
    ok = enterprise.post(
        "/registry/figures/new/",
        {
            "organization": orgs["wolong"].uscc,
            "year": "2024",
            "total_revenue": "1000",
            "rd_expense": "50",
        },
    )
    assert ok.status_code == 302
    submission = FigureSubmission.objects.get()
    client_for("county_staff").post(f"/registry/figures/{submission.pk}/", {"decision": "approve"})
    client_for("city_staff").post(f"/registry/figures/{submission.pk}/", {"decision": "confirm"})
    assert AnnualReport.objects.get(organization=orgs["wolong"], year=2024).rd_expense == 50
    detail = enterprise.get(f"/registry/figures/{submission.pk}/").content.decode()
    assert "市级已确认" in detail and "县区审核通过" in detail


def test_change_history_reads_in_chinese_with_phones_masked(client_for: Any, orgs: Any) -> None:
    org = orgs["wolong"]
    client = client_for("city_staff")
    client.post(
        f"/registry/organizations/{org.pk}/edit/",
        {
            "uscc": org.uscc,
            "name": org.name,
            "kind": "university",
            "area": "宛城区",
            "contact_phone": "13900001111",
        },
    )
    page = client.get(f"/registry/organizations/{org.pk}/")
    (_entry, rows), *_ = page.context["history"]
    changed = {label: (before, after) for label, before, after in rows}
    assert changed["单位类型"] == ("企业", "高等院校")  # choice labels, not codes
    assert changed["所在区域"] == ("卧龙区", "宛城区")  # the area by name, not its id
    assert changed["联系电话"] == ("139****5678", "139****1111")  # masked, both sides
    html = page.content.decode()
    assert "contact_phone" not in html and "13900001111" not in html
    created = page.context["history"][-1][1]
    assert {label for label, _, _ in created}.isdisjoint({"id", "created_at", "updated_at"})


def test_many_to_many_changes_are_audited_and_read_by_name(client_for: Any, orgs: Any) -> None:
    client = client_for("county_staff")
    data = {
        "name": "卧龙共建实验室",
        "kind": "key_lab",
        "level": "municipal",
        "host": orgs["wolong"].uscc,
        "co_builders": orgs["wolong_univ"].uscc,
        "status": "operating",
    }
    assert client.post("/registry/platforms/new/", data).status_code == 302
    platform = InnovationPlatform.objects.get(name="卧龙共建实验室")
    entries = AuditEntry.objects.filter(
        content_type__model="innovationplatform", object_id=str(platform.pk), action="update"
    )
    assert entries.get().changes == {"co_builders": [[], [orgs["wolong_univ"].pk]]}
    del data["co_builders"]
    client.post(f"/registry/platforms/{platform.pk}/edit/", data)
    assert entries.count() == 2
    history = client.get(f"/registry/platforms/{platform.pk}/").context["history"]
    rows = {label: (before, after) for label, before, after in history[0][1]}
    assert rows["共建单位"] == ("卧龙测试学院（测试）", None)


def test_team_detail_queries_do_not_grow_with_its_members(client_for: Any, orgs: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kechuang.registry.models import Talent, Team

    def talent(n: int) -> Talent:
        return Talent.objects.create(name=f"成员{n}", organization=orgs["wolong"], degree="master")

    team = Team.objects.create(
        name="查询测试团队",
        organization=orgs["wolong"],
        leader=talent(0),
        programme="industry_cultivated",
        approved_year=2022,
    )
    client = client_for("city_staff")
    counts = []
    for n in (1, 4):
        team.members.set([talent(n * 10 + i) for i in range(n)])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/registry/teams/{team.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_submission_list_api_queries_do_not_grow_with_the_page(
    client_for: Any, users: Any, orgs: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kechuang.registry.services import workflow

    client = client_for("city_staff")
    counts = []
    for year in (2021, 2022, 2023):
        workflow.submit(users["enterprise"], orgs["wolong"], year, {"total_revenue": str(year)})
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/registry/figure-submissions")
        assert response.status_code == 200 and len(response.json()["items"]) == year - 2020
        counts.append(len(queries))
    assert counts[0] == counts[-1], counts


def test_confirm_now_is_refused_alike_on_the_page_and_the_api(client_for: Any, orgs: Any) -> None:
    import json

    from kechuang.registry.models import FigureSubmission

    client = client_for("enterprise")
    page = client.post(
        "/registry/figures/new/",
        {
            "organization": orgs["wolong"].uscc,
            "year": "2023",
            "total_revenue": "10",
            "confirm_now": "1",
        },
    )
    assert page.status_code == 422 and "只有市科技局工作人员可以提交即确认" in page.content.decode()
    api = client.post(
        "/api/registry/figure-submissions",
        json.dumps(
            {
                "organization": orgs["wolong"].uscc,
                "year": 2023,
                "values": {"total_revenue": "10"},
                "confirm_now": True,
            }
        ),
        "application/json",
    )
    assert api.status_code == 403
    assert not FigureSubmission.objects.exists()


def test_enterprise_users_are_not_offered_to_add_organizations(client_for: Any, orgs: Any) -> None:
    client = client_for("enterprise")
    listing = client.get("/registry/organizations/")
    assert listing.context["may_add"] is False and "新增创新主体" not in listing.content.decode()
    assert client.get("/registry/organizations/new/").status_code == 403
    assert client_for("county_staff").get("/registry/organizations/").context["may_add"] is True


def test_a_form_with_five_errors_shows_all_five_at_once(client_for: Any, orgs: Any) -> None:
    response = client_for("county_staff").post(
        "/registry/organizations/new/",
        {
            "uscc": "",
            "name": "",
            "kind": "",
            "area": "卧龙区",
            "founded_on": "2021-02-30",
            "contact_phone": "12345",
        },
    )
    assert response.status_code == 422
    errors = {f.name: f.errors for f in response.context["fields"] if f.errors}
    assert errors == {
        "uscc": ["请填写统一社会信用代码。"],
        "name": ["请填写单位名称。"],
        "kind": ["请选择单位类型。"],
        "founded_on": ["日期格式应为 YYYY-MM-DD。"],
        "contact_phone": [validate_phone.message],
    }
    html = response.content.decode()
    assert "长度不足" not in html and "不能为 null" not in html
    assert "电话号码格式不正确：手机号为 11 位（如 13912345678）" in html


@pytest.mark.parametrize(
    ("phone", "ok"),
    [
        ("13912345678", True),
        ("+8613912345678", True),
        ("0377-63123456", True),
        ("037763123456", True),
        ("0377-6312345-801", True),
        ("400-123-4567", True),
        ("12345", False),
        ("1391234567", False),
        ("23912345678", False),
        ("0377-123", False),
    ],
)
def test_phone_numbers_as_users_expect(phone: str, ok: bool) -> None:
    if ok:
        validate_phone(phone)
    else:
        with pytest.raises(ValidationError):
            validate_phone(phone)
