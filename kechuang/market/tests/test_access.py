"""The market's access matrix: every API operation and page, every role (the specification,
written out per role); writes refused to a role change nothing.

The listings are 卧龙区's: demands and scenarios of the 卧龙 enterprise, achievements of the
卧龙 university; county staff are 卧龙区's. 404 = outside the caller's scope (or unpublished, for
the public); 403 = visible but not the role's step; 401/302 = anonymous.
"""

from __future__ import annotations

from typing import Any

import pytest

from kechuang.core.tests.permissions import ROLES, Row, check_row
from kechuang.market.tests.conftest import ACHIEVEMENT, DEMAND, PDF

pytestmark = pytest.mark.django_db

GOVERNMENT = {"city_admin", "city_staff", "county_staff"}
SIGNED_IN = set(ROLES) - {"anonymous"}
OWNERS = {"demand": "enterprise", "achievement": "institution", "scenario": "enterprise"}
SLUGS = {"demand": "demands", "achievement": "achievements", "scenario": "scenarios"}
SCENARIO = {"title": "矿井巡检机器人应用场景", "problem": "井下巡检需要防爆巡检机器人。"}
BODIES = {"demand": DEMAND, "achievement": ACHIEVEMENT, "scenario": SCENARIO}
OTHER = {"enterprise": "institution", "institution": "enterprise"}


def only(allowed: set[str], ok: int, anonymous: int, others: int = 403) -> dict[str, int]:
    return {
        role: anonymous if role == "anonymous" else (ok if role in allowed else others)
        for role in ROLES
    }


def _count_kept(model: str, ok_roles: set[str], key: str = "") -> Any:
    def check(role: str, response: Any, context: dict[str, Any]) -> None:
        from django.apps import apps

        count = apps.get_model("market", model).objects.count()
        wanted = context[f"count_{model}"] + (1 if role in ok_roles else 0)
        assert count == wanted, f"{model} 数应为 {wanted}，实为 {count}"

    return check


def _field_kept(model: str, key: str, field: str, changed: Any, kept: Any, ok: set[str]) -> Any:
    def check(role: str, response: Any, context: dict[str, Any]) -> None:
        from django.apps import apps

        value = getattr(apps.get_model("market", model).objects.get(pk=context[key]), field)
        wanted = changed if role in ok else kept
        assert value == wanted, f"{field} 应为 {wanted}，实为 {value}"

    return check


def _create_body(kind: str) -> Any:
    def body(context: dict[str, Any]) -> dict[str, Any]:
        return {**BODIES[kind], "organization_uscc": context[f"uscc_{OWNERS[kind]}"]}

    return body


def kind_rows(kind: str) -> list[Row]:
    slug, owner = SLUGS[kind], OWNERS[kind]
    model = {"demand": "techdemand", "achievement": "achievement", "scenario": "scenario"}[kind]
    a = f"/api/market/{slug}"
    own = GOVERNMENT | {owner}
    published_readers = own | {"expert"}  # the expert sees what is published
    create_ok = own
    return [
        Row("GET", a, only(SIGNED_IN, 200, 401), name=f"GET {kind} list"),
        Row(
            "POST",
            a,
            {**only(create_ok, 201, 401), OTHER[owner]: 422},
            body=_create_body(kind),
            name=f"POST {kind}",
            check=_count_kept(model, create_ok),
        ),
        Row("GET", f"{a}/{{{kind}_draft}}", only(own, 200, 401, 404), name=f"GET {kind} draft"),
        Row(
            "GET",
            f"{a}/{{{kind}_published}}",
            only(published_readers, 200, 401, 404),
            name=f"GET {kind} published",
        ),
        Row(
            "PATCH",
            f"{a}/{{{kind}_draft}}",
            only(own, 200, 401, 404),
            body={"title": "改过的名称"},
            name=f"PATCH {kind} draft",
            check=_field_kept(
                model, f"{kind}_draft", "title", "改过的名称", BODIES[kind]["title"], own
            ),
        ),
        Row(
            "POST",
            f"{a}/{{{kind}_draft}}/workflow",
            only(own, 200, 401, 404),
            body={"step": "submit"},
            name=f"submit {kind}",
            check=_field_kept(model, f"{kind}_draft", "status", "submitted", "draft", own),
        ),
        Row(
            "POST",
            f"{a}/{{{kind}_submitted}}/workflow",
            {**only(GOVERNMENT, 200, 401, 404), owner: 403},
            body={"step": "review"},
            name=f"review {kind}",
            check=_field_kept(
                model, f"{kind}_submitted", "status", "reviewed", "submitted", GOVERNMENT
            ),
        ),
        Row(
            "GET",
            f"{a}/{{{kind}_published}}/matches",
            only(published_readers, 200, 401, 404),
            name=f"matches of {kind}",
        ),
        Row(
            "GET",
            f"{a}/{{{kind}_published}}/organizations",
            only(published_readers, 200, 401, 404),
            name=f"organizations behind the matches of {kind}",
        ),
        Row(
            "GET",
            f"{a}/{{{kind}_draft}}/attachments",
            only(own, 200, 401, 404),
            name=f"attachments of a {kind} draft",
        ),
        Row(
            "GET",
            f"/api/market/public/{slug}/{{{kind}_published}}/attachments",
            dict.fromkeys(ROLES, 200),
            name=f"public attachments of a published {kind}",
        ),
        Row(
            "GET",
            f"/api/market/public/{slug}/{{{kind}_draft}}/attachments",
            dict.fromkeys(ROLES, 404),
            name=f"public attachments of a {kind} draft are 404",
        ),
        Row("GET", f"/api/market/public/{slug}", dict.fromkeys(ROLES, 200), name=f"public {kind}s"),
        Row(
            "GET",
            f"/api/market/public/{slug}/{{{kind}_published}}",
            dict.fromkeys(ROLES, 200),
            name=f"public {kind} published",
        ),
        Row(
            "GET",
            f"/api/market/public/{slug}/{{{kind}_draft}}",
            dict.fromkeys(ROLES, 404),
            name=f"public {kind} draft is 404",
        ),
        # pages
        Row("GET", f"/market/{slug}/", only(SIGNED_IN, 200, 302), name=f"{kind} list page"),
        Row(
            "GET",
            f"/market/{slug}/new/",
            only(GOVERNMENT | {"enterprise", "institution"}, 200, 302),
            name=f"new {kind} page",
        ),
        Row(
            "GET",
            f"/market/{{slug_{kind}}}/{{{kind}_draft}}/",
            only(own, 200, 302, 404),
            name=f"{kind} draft page",
        ),
        Row(
            "POST",
            f"/market/{{slug_{kind}}}/{{{kind}_draft}}/step/",
            only(own, 302, 302, 404),
            body={"step": "submit"},
            name=f"submit {kind} on the page",
            check=_field_kept(model, f"{kind}_draft", "status", "submitted", "draft", own),
        ),
        Row(
            "GET", f"/market/public/{slug}/", dict.fromkeys(ROLES, 200), name=f"public {kind} page"
        ),
        Row(
            "GET",
            f"/market/public/{{slug_{kind}}}/{{{kind}_published}}/",
            dict.fromkeys(ROLES, 200),
            name=f"public {kind} detail page",
        ),
        Row(
            "GET",
            f"/market/public/{{slug_{kind}}}/{{{kind}_draft}}/",
            dict.fromkeys(ROLES, 404),
            name=f"public {kind} draft page is 404",
        ),
    ]


A = "/api/market"
ROWS = [
    *kind_rows("demand"),
    *kind_rows("achievement"),
    *kind_rows("scenario"),
    Row("GET", f"{A}/search?q=电机", only(SIGNED_IN, 200, 401)),
    Row("GET", f"{A}/experts", only(SIGNED_IN, 200, 401)),
    Row("GET", f"{A}/brokers", only(SIGNED_IN, 200, 401)),
    Row("GET", f"{A}/public/lists", dict.fromkeys(ROLES, 200)),
    Row("GET", f"{A}/public/lists/{{list}}", dict.fromkeys(ROLES, 200)),
    Row(
        "POST",
        f"{A}/lists",
        only(GOVERNMENT, 201, 401),
        body=lambda c: {"kind": "demands", "ids": [c["demand_published"]]},
        name="POST issue list",
        check=_count_kept("publishedlist", GOVERNMENT),
    ),
    Row("GET", f"{A}/matches", only(GOVERNMENT, 200, 401)),
    Row("GET", f"{A}/roadshows", only(GOVERNMENT, 200, 401)),
    Row(
        "POST",
        f"{A}/roadshows",
        only(GOVERNMENT, 201, 401),
        body=lambda c: {
            "title": "API 路演",
            "held_on": "2026-05-06",
            "achievements": [c["achievement_published"]],
        },
        name="POST roadshow",
        check=_count_kept("roadshow", GOVERNMENT),
    ),
    Row("GET", f"{A}/roadshows/{{roadshow}}", only(GOVERNMENT, 200, 401)),
    Row("GET", f"{A}/stats/conversion", only(GOVERNMENT, 200, 401)),
    Row("GET", f"{A}/institutions", only(SIGNED_IN, 200, 401)),
    Row("GET", f"{A}/experts/{{expert}}", only(SIGNED_IN, 200, 401)),
    Row(
        "POST",
        f"{A}/matches",
        only(GOVERNMENT, 201, 401),
        body=lambda c: {"demand": c["demand_published"], "achievement": c["achievement_extra"]},
        name="POST match",
        check=_count_kept("match", GOVERNMENT),
    ),
    Row(
        "POST",
        f"{A}/matches/{{match}}/move",
        only(GOVERNMENT, 200, 401),
        body={"status": "contacted"},
        name="move match",
        check=_field_kept("match", "match", "status", "contacted", "recommended", GOVERNMENT),
    ),
    # pages
    Row("GET", "/market/", dict.fromkeys(ROLES, 200)),
    Row("GET", "/market/search/?q=电机", only(SIGNED_IN, 200, 302)),
    Row("GET", "/market/board/", only(GOVERNMENT, 200, 302)),
    Row(
        "POST",
        "/market/matches/new/",
        only(GOVERNMENT, 302, 302),
        body=lambda c: {
            "kind": "demand",
            "source": c["demand_published"],
            "achievement": c["achievement_extra"],
        },
        name="follow up on the page",
        check=_count_kept("match", GOVERNMENT),
    ),
    Row(
        "POST",
        "/market/matches/{match}/move/",
        only(GOVERNMENT, 302, 302),
        body={"status": "contacted"},
        name="move on the board",
        check=_field_kept("match", "match", "status", "contacted", "recommended", GOVERNMENT),
    ),
    Row("GET", "/market/stats/", only(GOVERNMENT, 200, 302)),
    Row("GET", "/market/stats/?format=xlsx", only(GOVERNMENT, 200, 302), name="stats xlsx"),
    Row("GET", "/market/roadshows/", only(GOVERNMENT, 200, 302)),
    Row("GET", "/market/roadshows/new/", only(GOVERNMENT, 200, 302)),
    Row(
        "POST",
        "/market/roadshows/new/",
        only(GOVERNMENT, 302, 302),
        body=lambda c: {
            "title": "页面路演",
            "held_on": "2026-05-06",
            "demands": [c["demand_published"]],
        },
        name="register a roadshow on the page",
        check=_count_kept("roadshow", GOVERNMENT),
    ),
    Row("GET", "/market/roadshows/{roadshow}/", only(GOVERNMENT, 200, 302)),
    Row(
        "GET",
        "/market/attachments/{attachment_published}/",
        dict.fromkeys(ROLES, 200),
        name="attachment of a published listing",
    ),
    Row(
        "GET",
        "/market/attachments/{attachment_draft}/",
        only(GOVERNMENT | {"enterprise"}, 200, 404, 404),
        name="attachment of a draft",
    ),
    Row(
        "POST",
        "/market/{slug_demand}/{demand_draft}/attachments/",
        {**only(GOVERNMENT | {"enterprise"}, 302, 302), "institution": 404},
        body=lambda c: {"label": "检测报告", "file": _pdf()},
        name="attach a file on the page",
        check=_count_kept("listingattachment", GOVERNMENT | {"enterprise"}),
    ),
    Row("GET", "/market/lists/", dict.fromkeys(ROLES, 200)),
    Row("GET", "/market/lists/issue/", only(GOVERNMENT, 200, 302)),
    Row("GET", "/market/lists/{list}/", dict.fromkeys(ROLES, 200)),
    Row("GET", "/market/lists/{list}/list.xlsx", dict.fromkeys(ROLES, 200)),
    Row("GET", "/market/lists/{list}/list.docx", dict.fromkeys(ROLES, 200)),
]


def _pdf() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("报告.pdf", PDF, content_type="application/pdf")


@pytest.fixture
def context(
    users: dict[str, Any], orgs: dict[str, Any], wolong: Any, settings: Any, tmp_path: Any
) -> dict[str, Any]:
    from kechuang.market import services
    from kechuang.market.models import (
        Achievement,
        Expert,
        ListingAttachment,
        Match,
        PublishedList,
        Roadshow,
        Scenario,
        TechDemand,
    )

    settings.MEDIA_ROOT = tmp_path

    staff = users["city_staff"]
    models = {"demand": TechDemand, "achievement": Achievement, "scenario": Scenario}

    def listing(kind: str, until: str | None, **extra: Any) -> int:
        owner = users[OWNERS[kind]]
        row = services.save_listing(owner, models[kind](), {**BODIES[kind], **extra})
        for name in ("submit", "review", "publish"):
            if until is None:
                break
            row = services.step(owner if name == "submit" else staff, row, name)
            if name == until:
                break
        return row.pk

    context: dict[str, Any] = {
        "uscc_enterprise": orgs["wolong"].uscc,
        "uscc_institution": orgs["wolong_univ"].uscc,
        **{f"slug_{kind}": slug for kind, slug in SLUGS.items()},
    }
    for kind in models:
        context[f"{kind}_draft"] = listing(kind, None)
        context[f"{kind}_submitted"] = listing(kind, "submit")
        context[f"{kind}_published"] = listing(kind, "publish")
    context["achievement_extra"] = listing("achievement", "publish", title="隔爆电机散热器")
    demand = TechDemand.objects.get(pk=context["demand_published"])
    achievement = Achievement.objects.get(pk=context["achievement_published"])
    context["match"] = services.create_match(staff, demand, achievement).pk
    context["list"] = services.issue_list(staff, "demands", [demand.pk], wolong).pk
    roadshow = services.save_roadshow(
        staff, Roadshow(), {"title": "卧龙路演", "held_on": "2026-03-18", "area": wolong}
    )
    context["roadshow"] = roadshow.pk
    draft = TechDemand.objects.get(pk=context["demand_draft"])
    owner = users["enterprise"]
    context["attachment_draft"] = services.add_attachment(owner, draft, PDF, "草稿附件.pdf").pk
    context["attachment_published"] = services.add_attachment(
        staff, demand, PDF, "已发布附件.pdf"
    ).pk
    context["expert"] = Expert.objects.create(
        name="李教授", area=wolong, expertise="防爆电机散热", is_public=True
    ).pk
    for name, model in (
        ("techdemand", TechDemand),
        ("achievement", Achievement),
        ("scenario", Scenario),
        ("publishedlist", PublishedList),
        ("match", Match),
        ("roadshow", Roadshow),
        ("listingattachment", ListingAttachment),
    ):
        context[f"count_{name}"] = model.objects.count()
    return context


@pytest.mark.parametrize("r", ROWS, ids=Row.label)
def test_market_access(client_for: Any, context: dict[str, Any], r: Row) -> None:
    check_row(client_for, context, r)
