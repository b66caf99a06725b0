"""The policies module's access matrix: every API operation and page, every role (written out
per role); writes refused to a role change nothing.

404 = outside the caller's scope; 403 = not the role's step; 401/302 = anonymous. County staff
(卧龙区) review their area's entitlements; the enterprise user (卧龙 enterprise) confirms, declines
and objects for its own organization only; the public notice is open to everyone once published.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kechuang.core.tests.permissions import ROLES, Row, check_row
from kechuang.policies.tests.conftest import RD_TEXT

pytestmark = pytest.mark.django_db

GOVERNMENT = {"city_admin", "city_staff", "county_staff"}
CITY = {"city_admin", "city_staff"}
SIGNED_IN = set(ROLES) - {"anonymous"}


def only(allowed: set[str], ok: int, anonymous: int, others: int = 403) -> dict[str, int]:
    return {
        role: anonymous if role == "anonymous" else (ok if role in allowed else others)
        for role in ROLES
    }


def own_claim(ok: int, anonymous: int) -> dict[str, int]:
    """The 卧龙 enterprise's own entitlement: it acts; government sees it but may not act for it;
    the institution and experts do not see it."""
    return {**only({"enterprise"}, ok, anonymous), "institution": 404, "expert": 404}


def status_kept(key: str, changed: str, kept: str, ok_roles: set[str]) -> Any:
    def check(role: str, response: Any, context: dict[str, Any]) -> None:
        from kechuang.policies.models import Entitlement

        status = Entitlement.objects.get(pk=context[key]).status
        wanted = changed if role in ok_roles else kept
        assert status == wanted, f"状态应为 {wanted}，实为 {status}"

    return check


def count_kept(model: str, key: str, ok_roles: set[str]) -> Any:
    def check(role: str, response: Any, context: dict[str, Any]) -> None:
        from kechuang.policies import models

        count = getattr(models, model).objects.count()
        wanted = context[key] + (1 if role in ok_roles else 0)
        assert count == wanted, f"{model} 数应为 {wanted}，实为 {count}"

    return check


def field_kept(model: str, key: str, field: str, changed: Any, ok_roles: set[str]) -> Any:
    def check(role: str, response: Any, context: dict[str, Any]) -> None:
        from kechuang.policies import models

        value = getattr(getattr(models, model).objects.get(pk=context[key]), field)
        if role in ok_roles:
            assert value == changed, f"{field} 应为 {changed}，实为 {value}"
        else:
            assert value == context[f"{key}_{field}"], f"{role} 被拒绝后 {field} 仍被改为 {value}"

    return check


NEW_TEXT = RD_TEXT.replace("code: rd\n", "code: rd-new\n")
A = "/api/policies"
API_ROWS = [
    Row("GET", A, only(SIGNED_IN, 200, 401)),
    Row(
        "POST",
        A,
        only(CITY, 201, 401),
        body=lambda c: {"text": NEW_TEXT},
        name="POST create policy",
        check=count_kept("Policy", "policies", CITY),
    ),
    Row("GET", f"{A}/{{issued}}", only(SIGNED_IN, 200, 401), name="GET issued policy"),
    Row("GET", f"{A}/{{draft}}", only(CITY, 200, 401, 404), name="GET draft policy"),
    Row(
        "POST",
        f"{A}/{{issued}}/versions",
        only(CITY, 201, 401),
        body=lambda c: {"text": RD_TEXT, "note": "修订"},
        check=count_kept("PolicyVersion", "versions", CITY),
    ),
    Row(
        "POST",
        f"{A}/{{issued}}/status",
        only(CITY, 200, 401),
        body={"status": "retired"},
        check=field_kept("Policy", "issued", "status", "retired", CITY),
    ),
    Row("POST", f"{A}/{{issued}}/simulate", only(CITY, 200, 401), body={"year": 2025}),
    Row(
        "POST",
        f"{A}/{{issued}}/runs",
        only(CITY, 202, 401),
        body={"year": 2025},
        check=count_kept("BenefitRun", "runs", CITY),
    ),
    Row(
        "POST",
        f"{A}/{{by_application}}/apply",
        only({"enterprise"}, 201, 401),
        body={"year": 2025},
        check=count_kept("Entitlement", "entitlements", {"enterprise"}),
    ),
    Row("GET", f"{A}/mine", only(SIGNED_IN, 200, 401)),
    Row("GET", f"{A}/runs/{{run_notice}}", only(GOVERNMENT, 200, 401)),
    Row("GET", f"{A}/runs/{{run_notice}}/entitlements", only(GOVERNMENT, 200, 401)),
    Row(
        "POST",
        f"{A}/runs/{{run_review}}/notice",
        only(CITY, 200, 401),
        body={"start": "2026-05-01", "end": "2026-05-10"},
        check=field_kept("BenefitRun", "run_review", "stage", "notice", CITY),
    ),
    Row(
        "POST",
        f"{A}/runs/{{run_closed}}/batches",
        only(CITY, 201, 401),
        check=count_kept("PaymentBatch", "batches", CITY),
    ),
    Row(
        "GET",
        f"{A}/entitlements/{{held_wolong}}",
        only(GOVERNMENT | {"enterprise"}, 200, 401, 404),
        name="GET own-area entitlement",
    ),
    Row(
        "GET",
        f"{A}/entitlements/{{open_wancheng}}",
        only(CITY, 200, 401, 404),
        name="GET other-area entitlement",
    ),
    Row(
        "POST",
        f"{A}/entitlements/{{open_third}}/exclude",
        only(GOVERNMENT, 200, 401),
        body={"reason": "已迁出"},
        check=status_kept("open_third", "excluded", "entitled", GOVERNMENT),
    ),
    Row(
        "POST",
        f"{A}/entitlements/{{open_wancheng}}/adjust",
        {**only(CITY, 200, 401), "county_staff": 404},
        body={"amount": "1000", "reason": "核减"},
        check=field_kept("Entitlement", "open_wancheng", "amount", 1000, CITY),
    ),
    Row(
        "POST",
        f"{A}/entitlements/{{claim_wolong}}/confirm",
        own_claim(200, 401),
        body={"bank_name": "中国银行南阳分行", "bank_account": "6217000012345678"},
        check=status_kept("claim_wolong", "confirmed", "entitled", {"enterprise"}),
    ),
    Row(
        "POST",
        f"{A}/entitlements/{{claim_wolong}}/decline",
        own_claim(200, 401),
        body={"reason": "不需要"},
        check=status_kept("claim_wolong", "declined", "entitled", {"enterprise"}),
    ),
    Row(
        "POST",
        f"{A}/entitlements/{{held_wolong}}/objections",
        own_claim(201, 401),
        body={"text": "金额有误"},
        check=count_kept("Objection", "objections", {"enterprise"}),
    ),
    Row(
        "POST",
        f"{A}/objections/{{objection}}/answer",
        only(GOVERNMENT, 200, 401),
        body={"answer": "以确认数据为准", "upheld": False},
        check=field_kept("Objection", "objection", "status", "rejected", GOVERNMENT),
    ),
    Row(
        "POST",
        f"{A}/batches/{{batch}}/paid",
        only(CITY, 200, 401),
        body=lambda c: {"paid_on": c["today"]},
        check=field_kept("PaymentBatch", "batch", "status", "paid", CITY),
    ),
]

P = "/policies"
PAGE_ROWS = [
    Row("GET", f"{P}/", only(SIGNED_IN, 200, 302)),
    Row("GET", f"{P}/new/", only(CITY, 200, 302)),
    Row(
        "POST",
        f"{P}/new/",
        only(CITY, 302, 302),
        body=lambda c: {"text": NEW_TEXT},
        name="POST new policy page",
        check=count_kept("Policy", "policies", CITY),
    ),
    Row("GET", f"{P}/mine/", only(SIGNED_IN, 200, 302)),
    Row(
        "POST",
        f"{P}/entitlements/{{claim_wolong}}/act/",
        own_claim(302, 302),
        body={"action": "confirm", "bank_name": "中国银行", "bank_account": "6217000012345678"},
        name="POST confirm page",
        check=status_kept("claim_wolong", "confirmed", "entitled", {"enterprise"}),
    ),
    Row("GET", f"{P}/runs/{{run_notice}}/", only(GOVERNMENT, 200, 302)),
    Row(
        "POST",
        f"{P}/runs/{{run_notice}}/act/",
        only(GOVERNMENT, 302, 302),
        body=lambda c: {"action": "exclude", "entitlement": c["open_third"], "reason": "迁出"},
        name="POST exclude page",
        check=status_kept("open_third", "excluded", "entitled", GOVERNMENT),
    ),
    Row("GET", f"{P}/runs/{{run_notice}}/notice/", dict.fromkeys(ROLES, 200), name="GET notice"),
    Row(
        "GET",
        f"{P}/runs/{{run_review}}/notice/",
        dict.fromkeys(ROLES, 404),
        name="GET notice not yet published",
    ),
    Row("GET", f"{P}/batches/{{batch}}/", only(CITY, 200, 302)),
    Row("GET", f"{P}/{{issued}}/", only(SIGNED_IN, 200, 302)),
    Row(
        "POST",
        f"{P}/{{issued}}/act/",
        only(CITY, 302, 302),
        body={"action": "status", "status": "retired"},
        name="POST policy status page",
        check=field_kept("Policy", "issued", "status", "retired", CITY),
    ),
    Row("GET", f"{P}/{{issued}}/simulate/?year=2025", only(CITY, 200, 302)),
    Row(
        "POST",
        f"{P}/{{by_application}}/apply/",
        {**only({"enterprise"}, 302, 302), **dict.fromkeys(SIGNED_IN - {"enterprise"}, 403)},
        body={"year": 2025},
        name="POST apply page",
        check=count_kept("Entitlement", "entitlements", {"enterprise"}),
    ),
]
ROWS = API_ROWS + PAGE_ROWS


@pytest.fixture
def context(users: dict[str, Any], city: dict[str, Any], make_user: Any) -> dict[str, Any]:
    from django.utils import timezone

    from kechuang.policies import models, services
    from kechuang.policies.compute import execute_run

    staff = users["city_staff"]
    today = timezone.localdate()
    days = dt.timedelta

    def run_of(policy: Any) -> Any:
        return execute_run(services.start_run(staff, policy, 2025, as_of=today).pk)

    def of(run: Any, org: Any) -> Any:
        return run.entitlements.get(organization=org)

    issued = services.create_policy(staff, RD_TEXT)
    services.set_status(staff, issued, "issued")
    draft = services.create_policy(
        staff,
        RD_TEXT.replace("code: rd\n", "code: rd2\n")
        .replace("mode: exempt", "mode: confirm")
        .replace("stacking: {group: rd, rule: highest}\n", ""),
    )
    run_notice = services.publish_notice(staff, run_of(issued), today - days(6), today + days(1))
    objection = services.raise_objection(
        users["enterprise"], of(run_notice, city["wolong"]), "研发费用应更高"
    )
    wancheng_user = make_user("enterprise", "wancheng_user", organization=city["wancheng"])
    run_closed = services.publish_notice(staff, run_of(draft), today - days(20), today - days(10))
    services.confirm(wancheng_user, of(run_closed, city["wancheng"]), "银行", "6217000099998888")
    paid_run = services.publish_notice(staff, run_of(draft), today - days(20), today - days(10))
    services.confirm(wancheng_user, of(paid_run, city["wancheng"]), "银行", "6217000099998888")
    batch = services.create_batch(staff, paid_run)
    by_application = services.create_policy(
        staff,
        RD_TEXT.replace("code: rd\n", "code: rd-apply\n")
        .replace("mode: exempt", "mode: apply")
        .replace("stacking: {group: rd, rule: highest}\n", ""),
    )
    services.set_status(staff, by_application, "issued")
    context = {
        "issued": issued.pk,
        "issued_status": "issued",
        "draft": draft.pk,
        "run_notice": run_notice.pk,
        "run_review": run_of(draft).pk,
        "run_review_stage": "review",
        "run_closed": run_closed.pk,
        "held_wolong": of(run_notice, city["wolong"]).pk,
        "open_wancheng": of(run_notice, city["wancheng"]).pk,
        "open_third": of(run_notice, city["third"]).pk,
        "claim_wolong": of(run_closed, city["wolong"]).pk,
        "objection": objection.pk,
        "objection_status": "open",
        "batch": batch.pk,
        "batch_status": "draft",
        "today": today.isoformat(),
        "policies": models.Policy.objects.count(),
        "versions": models.PolicyVersion.objects.count(),
        "runs": models.BenefitRun.objects.count(),
        "batches": models.PaymentBatch.objects.count(),
        "objections": models.Objection.objects.count(),
        "entitlements": models.Entitlement.objects.count(),
        "by_application": by_application.pk,
    }
    context["open_wancheng_amount"] = of(run_notice, city["wancheng"]).amount
    return context


@pytest.mark.parametrize("r", ROWS, ids=Row.label)
def test_policies_access(client_for: Any, context: dict[str, Any], r: Row) -> None:
    check_row(client_for, context, r)
