"""The contracts module's access matrix: every API operation and page, every role (the
specification, written out per role); writes refused to a role change nothing.

404 = outside the caller's scope; 403 = visible but not the role's step; 401/302 = anonymous.
County staff here have no registration point (the city registers), so they see their area's
contracts but do not act on them (`test_services` covers a county registration point).
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest

from kechuang.contracts.tests.conftest import PDF
from kechuang.core.tests.permissions import ROLES, Row, check_row

pytestmark = pytest.mark.django_db

GOVERNMENT = {"city_admin", "city_staff", "county_staff"}
CITY = {"city_admin", "city_staff"}
SELLERS = {"enterprise", "institution"}


def only(allowed: set[str], ok: int, anonymous: int, others: int = 403) -> dict[str, int]:
    return {
        role: anonymous if role == "anonymous" else (ok if role in allowed else others)
        for role in ROLES
    }


def registrar_step(ok: int, anonymous: int) -> dict[str, int]:
    """A registrar's step on a 卧龙区 seller's contract: the city acts; the county and the
    seller see the contract but may not act; the others do not see it."""
    return {**only(CITY, ok, anonymous), "institution": 404, "expert": 404}


def own_area(ok: int, anonymous: int) -> dict[str, int]:
    """Reading a 卧龙区 enterprise's contract: the city, 卧龙区 staff and the seller."""
    return {**only(GOVERNMENT | {"enterprise"}, ok, anonymous, 404)}


def _status_kept(key: str, expected_ok: str, expected_other: str, ok_roles: set[str]) -> Any:
    def check(role: str, response: Any, context: dict[str, Any]) -> None:
        from kechuang.contracts.models import TechContract

        status = TechContract.objects.get(pk=context[key]).status
        wanted = expected_ok if role in ok_roles else expected_other
        assert status == wanted, f"状态应为 {wanted}，实为 {status}"

    return check


def _count_kept(ok_roles: set[str]) -> Any:
    def check(role: str, response: Any, context: dict[str, Any]) -> None:
        from kechuang.contracts.models import TechContract

        count = TechContract.objects.count()
        wanted = context["count"] + (1 if role in ok_roles else 0)
        assert count == wanted, f"合同数应为 {wanted}，实为 {count}"

    return check


def _apply_body(context: dict[str, Any]) -> dict[str, Any]:
    return {
        "category": "技术咨询",
        "title": "可行性论证咨询（测试）",
        "buyer_uscc": context["buyer_uscc"],
        "signed_on": "2025-02-01",
        "total_amount": "12",
        "file_base64": base64.b64encode(PDF).decode(),
    }


A = "/api/contracts"
ROWS = [
    Row("GET", A, only(set(ROLES) - {"anonymous"}, 200, 401)),
    Row("GET", f"{A}/{{registered_wolong}}", own_area(200, 401), name="GET own-area contract"),
    Row(
        "GET",
        f"{A}/{{registered_wancheng}}",
        only(CITY, 200, 401, 404),
        name="GET other-area contract",
    ),
    Row(
        "POST",
        A,
        only(SELLERS, 201, 401),
        body=_apply_body,
        name="POST apply",
        check=_count_kept(SELLERS),
    ),
    Row(
        "POST",
        f"{A}/{{applied_wolong}}/accept",
        registrar_step(200, 401),
        body={},
        check=_status_kept("applied_wolong", "accepted", "applied", CITY),
    ),
    Row(
        "POST",
        f"{A}/{{applied_wolong}}/request-more",
        registrar_step(200, 401),
        body={"note": "请补充附件"},
        check=_status_kept("applied_wolong", "more_requested", "applied", CITY),
    ),
    Row(
        "POST",
        f"{A}/{{more_wolong}}/complete",
        {**registrar_step(200, 401), "enterprise": 200},
        body={"note": "已补充"},
        check=_status_kept("more_wolong", "accepted", "more_requested", CITY | {"enterprise"}),
    ),
    Row(
        "POST",
        f"{A}/{{accepted_wolong}}/category",
        registrar_step(200, 401),
        body={"category": "技术开发", "subcategory": "合作开发"},
    ),
    Row(
        "POST",
        f"{A}/{{accepted_wolong}}/assess",
        registrar_step(200, 401),
        body={"deductions": [{"kind": "equipment", "amount": "10"}]},
    ),
    Row(
        "POST",
        f"{A}/{{expert_wolong}}/expert-review",
        registrar_step(200, 401),
        body={"opinion": "同意登记"},
    ),
    Row(
        "POST",
        f"{A}/{{assessed_wolong}}/register",
        registrar_step(200, 401),
        body={},
        check=_status_kept("assessed_wolong", "registered", "accepted", CITY),
    ),
    Row(
        "POST",
        f"{A}/{{applied_wolong}}/refuse",
        registrar_step(200, 401),
        body={"reason": "不属于技术合同"},
        check=_status_kept("applied_wolong", "refused", "applied", CITY),
    ),
    Row(
        "POST",
        f"{A}/{{registered_wolong}}/change",
        registrar_step(200, 401),
        body={"total_amount": "80", "note": "补充协议"},
        check=_status_kept("registered_wolong", "changed", "registered", CITY),
    ),
    Row(
        "POST",
        f"{A}/{{registered_wolong}}/cancel",
        registrar_step(200, 401),
        body={"reason": "合同解除"},
        check=_status_kept("registered_wolong", "cancelled", "registered", CITY),
    ),
    Row(
        "POST",
        f"{A}/{{registered_wolong}}/objections",
        {**registrar_step(201, 401), "enterprise": 201},
        body={"raised_by": "卖方", "text": "金额有误"},
    ),
    Row(
        "POST",
        f"{A}/objections/{{objection_wolong}}/answer",
        registrar_step(200, 401),
        body={"answer": "维持原核定"},
    ),
    Row("GET", f"{A}/workbench", only(GOVERNMENT, 200, 401)),
    Row("GET", f"{A}/stats?year=2025", only(GOVERNMENT, 200, 401)),
    Row("GET", f"{A}/verify?number=X&code=Y", dict.fromkeys(ROLES, 200)),
    # pages
    Row("GET", "/contracts/", only(set(ROLES) - {"anonymous"}, 200, 302)),
    Row("GET", "/contracts/apply/", only(SELLERS, 200, 302)),
    Row("GET", "/contracts/workbench/", only(GOVERNMENT, 200, 302)),
    Row("GET", "/contracts/stats/", only(GOVERNMENT, 200, 302)),
    Row("GET", "/contracts/verify/", dict.fromkeys(ROLES, 200)),
    Row("GET", "/contracts/import/", only(GOVERNMENT, 200, 302)),
    Row("GET", "/contracts/import/template.xlsx", only(GOVERNMENT, 200, 302)),
    Row(
        "GET",
        "/contracts/import/report.xlsx",
        only(GOVERNMENT, 404, 302),
        name="error workbook of no upload",
    ),
    Row(
        "GET", "/contracts/{registered_wolong}/", own_area(200, 302), name="own-area contract page"
    ),
    Row(
        "GET",
        "/contracts/{registered_wancheng}/",
        only(CITY, 200, 302, 404),
        name="other-area contract page",
    ),
    Row(
        "GET",
        "/contracts/{registered_wolong}/certificate.docx",
        own_area(200, 302),
        name="certificate of an own-area contract",
    ),
    Row(
        "POST",
        "/contracts/{applied_wolong}/act/",
        registrar_step(302, 302),
        body={"action": "accept"},
        name="accept on the page",
        check=_status_kept("applied_wolong", "accepted", "applied", CITY),
    ),
]


@pytest.fixture
def context(users: dict[str, Any], orgs: dict[str, Any], make_user: Any) -> dict[str, Any]:
    from kechuang.contracts import services
    from kechuang.contracts.models import TechContract

    staff, seller = users["city_staff"], users["enterprise"]
    base = {
        "category": "技术开发",
        "subcategory": "委托开发",
        "title": "测试合同",
        "buyer_uscc": orgs["wancheng"].uscc,
        "signed_on": dt.date(2025, 1, 10),
        "total_amount": "100",
    }

    def applied(user: Any = seller, **extra: Any) -> Any:
        return services.apply(user, {**base, **extra}, PDF, "合同.pdf")

    def accepted(**extra: Any) -> Any:
        return services.accept(staff, applied(**extra))

    def assessed(**extra: Any) -> Any:
        return services.assess(staff, accepted(**extra), [])

    context: dict[str, Any] = {"buyer_uscc": orgs["wancheng"].uscc}
    context["applied_wolong"] = applied().pk
    context["more_wolong"] = services.request_more(staff, applied(), "缺附件").pk
    context["accepted_wolong"] = accepted().pk
    context["assessed_wolong"] = assessed().pk
    context["expert_wolong"] = assessed(total_amount="600").pk
    registered = services.register(staff, assessed())
    context["registered_wolong"] = registered.pk
    context["objection_wolong"] = services.raise_objection(seller, registered, "卖方", "有误").pk
    other = make_user("enterprise", "wancheng_seller", organization=orgs["wancheng"])
    done = services.assess(
        staff, services.accept(staff, applied(other, buyer_uscc=orgs["wolong"].uscc)), []
    )
    context["registered_wancheng"] = services.register(staff, done).pk
    context["count"] = TechContract.objects.count()
    return context


@pytest.mark.parametrize("r", ROWS, ids=Row.label)
def test_contracts_access(client_for: Any, context: dict[str, Any], r: Row) -> None:
    check_row(client_for, context, r)


# With a registration point configured for 卧龙区, its county staff register its sellers' contracts.
COUNTY_POINT_ROWS = [
    Row(
        "POST",
        f"{A}/{{applied_wolong}}/accept",
        {**registrar_step(200, 401), "county_staff": 200},
        body={},
        name="accept with a county registration point",
        check=_status_kept("applied_wolong", "accepted", "applied", GOVERNMENT),
    ),
    Row(
        "POST",
        f"{A}/{{assessed_wolong}}/register",
        {**registrar_step(200, 401), "county_staff": 200},
        body={},
        name="register with a county registration point",
        check=_status_kept("assessed_wolong", "registered", "accepted", GOVERNMENT),
    ),
    Row(
        "POST",
        f"{A}/{{applied_wancheng}}/accept",
        {**only(CITY, 200, 401, 404)},
        body={},
        name="accept another county's contract with a registration point",
        check=_status_kept("applied_wancheng", "accepted", "applied", CITY),
    ),
]


@pytest.fixture
def point_context(context: dict[str, Any], orgs: dict[str, Any], users: dict[str, Any]) -> Any:
    from kechuang.accounts.models import User
    from kechuang.contracts import services
    from kechuang.contracts.models import RegistrationPoint

    RegistrationPoint.objects.create(area=orgs["wolong"].area)
    seller = User.objects.get(username="wancheng_seller")
    body = {
        "category": "技术咨询",
        "title": "宛城咨询",
        "buyer_uscc": orgs["wolong"].uscc,
        "signed_on": dt.date(2025, 1, 10),
        "total_amount": "5",
    }
    context["applied_wancheng"] = services.apply(seller, body, PDF).pk
    return context


@pytest.mark.parametrize("r", COUNTY_POINT_ROWS, ids=Row.label)
def test_county_registration_point_access(client_for: Any, point_context: Any, r: Row) -> None:
    check_row(client_for, point_context, r)
