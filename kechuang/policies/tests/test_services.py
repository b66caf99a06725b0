"""The workflow on a small confirmed registry: compute, review, notice and objections, the
enterprise's confirmation, payment batches within the budget (hand-computed, to the fen)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone

from kechuang.policies import services
from kechuang.policies.models import Entitlement, Objection, PaymentBatch, Policy
from kechuang.policies.tests.conftest import RD_TEXT, example

pytestmark = pytest.mark.django_db


def by_org(run: Any) -> dict[str, Entitlement]:
    return {e.organization.name: e for e in run.entitlements.select_related("organization")}


def test_run_computes_amounts_gaps_and_explanations(computed: Any, city: dict[str, Any]) -> None:
    run = computed()
    assert run.status == "done"
    rows = by_org(run)
    amounts = {name: (e.status, e.amount) for name, e in rows.items()}
    assert amounts == {
        "卧龙测试企业（测试）": ("entitled", D("150000.00")),
        "宛城测试企业（测试）": ("entitled", D("60000.00")),
        "卧龙第三企业（测试）": ("entitled", D("10000.00")),
        "宛城第四企业（测试）": ("entitled", D("21000.00")),
        "卧龙第五企业（测试）": ("near_miss", D("0.00")),
    }
    assert (run.evaluated, run.entitled, run.near_miss, run.total) == (
        5,
        4,
        1,
        D("241000.00"),
    )  # the university is no enterprise
    fifth = rows["卧龙第五企业（测试）"]
    assert fifth.gaps == ["2025 年研发费用总额较上年增加额 > 0 万元"]
    assert fifth.checks[1]["fact"] == "2024 年研发费用总额：无已确认数据"
    assert rows["卧龙测试企业（测试）"].checks[1]["fact"] == (
        "2025 年研发费用总额 300 − 2024 年 150 = 150 万元"
    )


def test_bad_rule_text_names_the_field_and_stores_nothing(users: dict[str, Any]) -> None:
    bad = RD_TEXT.replace("floor: 10000", "floor: 900000")  # cap 500000 < floor
    with pytest.raises(ValidationError) as caught:
        services.create_policy(users["city_staff"], bad)
    assert "text（amount.cap）" in caught.value.message_dict
    assert Policy.objects.count() == 0
    with pytest.raises(PermissionDenied):
        services.create_policy(users["county_staff"], RD_TEXT)


def test_versions_stay_fixed_to_their_runs(users: dict[str, Any], computed: Any) -> None:
    run = computed()
    policy = run.policy
    v2 = services.new_version(
        users["city_staff"], policy, RD_TEXT.replace("0.1,", "0.2,"), "提高比例"
    )
    assert v2.number == 2 and run.version.number == 1
    again = computed(policy=policy)
    assert again.version == v2
    assert again.total == D("482000.00")  # each doubled: 300000+120000+20000+42000
    with pytest.raises(ValidationError) as caught:
        services.new_version(users["city_staff"], policy, RD_TEXT.replace("code: rd", "code: x"))
    assert "text（code）" in caught.value.message_dict


def test_first_hnte_reward_once_and_stacking(users: dict[str, Any], computed: Any) -> None:
    run = computed(example("hnte-first-award"))
    assert {e.organization.name: e.amount for e in run.entitlements.filter(status="entitled")} == {
        "卧龙测试企业（测试）": D("100000.00")  # the claim of 卧龙第三 never counts
    }
    # a second policy in the same stacking group, computed after: 就高补差
    text = example("hnte-first-award").replace("example-hnte-first-award", "other")
    text = text.replace("value: 100000", "value: 150000").replace(
        "frequency: once", "frequency: yearly"
    )
    other = computed(text)
    entry = other.entitlements.get(status="entitled")
    assert (entry.computed_amount, entry.amount) == (D("150000.00"), D("50000.00"))
    assert "就高补差 50,000 元" in entry.stacking_note


def test_review_exclude_adjust_and_county_scope(users: dict[str, Any], computed: Any) -> None:
    rows = by_org(computed())
    county = users["county_staff"]  # 卧龙区
    with pytest.raises(PermissionDenied):
        services.exclude(county, rows["宛城测试企业（测试）"], "不在本县区")
    assert Entitlement.objects.get(pk=rows["宛城测试企业（测试）"].pk).status == "entitled"
    with pytest.raises(ValidationError) as caught:
        services.exclude(county, rows["卧龙第三企业（测试）"], " ")
    assert list(caught.value.message_dict) == ["reason"]
    services.exclude(county, rows["卧龙第三企业（测试）"], "已迁出本市")
    with pytest.raises(ValidationError) as caught:
        services.adjust(county, rows["卧龙测试企业（测试）"], "150000.01", "多算")
    assert list(caught.value.message_dict) == ["amount"]
    services.adjust(county, rows["卧龙测试企业（测试）"], "120000", "部分研发费用不予认可")
    assert Entitlement.objects.get(pk=rows["卧龙测试企业（测试）"].pk).amount == D("120000.00")
    with pytest.raises(PermissionDenied):
        services.exclude(users["enterprise"], rows["卧龙测试企业（测试）"], "自己剔除")


def test_notice_period_must_not_end_before_it_starts(users: dict[str, Any], computed: Any) -> None:
    run = computed()
    with pytest.raises(ValidationError) as caught:
        services.publish_notice(users["city_staff"], run, dt.date(2026, 5, 10), dt.date(2026, 5, 1))
    assert list(caught.value.message_dict) == ["notice_end"]
    run.refresh_from_db()
    assert run.stage == "review" and run.notice_start is None


def test_objection_holds_and_answer_releases(users: dict[str, Any], in_notice: Any) -> None:
    mine = by_org(in_notice)["卧龙测试企业（测试）"]
    objection = services.raise_objection(users["enterprise"], mine, "研发费用应为 320 万元")
    assert Entitlement.objects.get(pk=mine.pk).status == "held"
    other = by_org(in_notice)["宛城测试企业（测试）"]
    with pytest.raises(PermissionDenied):
        services.raise_objection(users["enterprise"], other, "别人的")
    services.answer_objection(
        users["county_staff"], objection, "以确认的年度数据为准", upheld=False
    )
    objection.refresh_from_db()
    assert (objection.status, objection.answered_by) == ("rejected", users["county_staff"])
    assert Entitlement.objects.get(pk=mine.pk).status == "entitled"


def test_confirm_checks_the_account_and_the_owner(users: dict[str, Any], in_notice: Any) -> None:
    rows = by_org(in_notice)
    mine = rows["卧龙测试企业（测试）"]
    with pytest.raises(ValidationError) as caught:
        services.confirm(users["enterprise"], mine, "中国银行南阳分行", "6217-0000")
    assert list(caught.value.message_dict) == ["bank_account"]
    assert Entitlement.objects.get(pk=mine.pk).status == "entitled"
    with pytest.raises(PermissionDenied):
        services.confirm(
            users["enterprise"], rows["宛城测试企业（测试）"], "银行", "6217000012345678"
        )
    with pytest.raises(PermissionDenied):
        services.confirm(users["city_staff"], mine, "银行", "6217000012345678")
    done = services.confirm(users["enterprise"], mine, "中国银行南阳分行", "6217 0000 1234 5678")
    assert (done.status, done.bank_account, done.masked_account) == (
        "confirmed",
        "6217000012345678",
        "************5678",
    )


def test_batch_after_notice_pro_rata_within_budget(users: dict[str, Any], in_notice: Any) -> None:
    staff = users["city_staff"]
    with pytest.raises(ValidationError):
        services.create_batch(staff, in_notice)  # the notice has not ended yet
    assert PaymentBatch.objects.count() == 0
    later = timezone.localdate() + dt.timedelta(days=2)
    batch = services.create_batch(staff, in_notice, today=later)
    # 241000 owed, budget 100000: factor 100000/241000; 150000→62240.66, 60000→24896.26,
    # 21000→8713.69, 10000→4149.37 (99999.98); the 2 fens left go to the largest remainders:
    # 4149.3776 (.0076) and 24896.2655 (.0055), not 62240.6639 (.0039) nor 8713.6929 (.0029)
    paid = {e.organization.name: e.paid_amount for e in batch.entitlements.all()}
    assert paid == {
        "卧龙测试企业（测试）": D("62240.66"),
        "宛城测试企业（测试）": D("24896.27"),
        "宛城第四企业（测试）": D("8713.69"),
        "卧龙第三企业（测试）": D("4149.38"),
    }
    assert (batch.requested, batch.total) == (D("241000.00"), D("100000.00"))
    assert "同比例核减" in batch.budget_note
    with pytest.raises(ValidationError):
        services.create_batch(staff, in_notice, today=later)  # nothing left to pay
    with pytest.raises(ValidationError) as caught:
        services.record_payment(staff, batch, "2026/05/01")
    assert list(caught.value.message_dict) == ["paid_on"]
    services.record_payment(staff, batch, later.isoformat())
    assert set(batch.entitlements.values_list("status", flat=True)) == {"paid"}
    assert Objection.objects.count() == 0


def test_application_checked_by_the_same_rules(users: dict[str, Any], city: dict[str, Any]) -> None:
    staff, enterprise = users["city_staff"], users["enterprise"]
    text = RD_TEXT.replace("mode: exempt", "mode: apply")
    policy = services.create_policy(staff, text)
    with pytest.raises(ValidationError) as caught:
        services.apply_for(enterprise, policy, 2025)  # not issued yet
    assert list(caught.value.message_dict) == ["policy"]
    services.set_status(staff, policy, "issued")
    entry = services.apply_for(enterprise, policy, 2025)
    assert (entry.status, entry.amount, entry.organization) == (
        "entitled",
        D("150000.00"),
        city["wolong"],
    )
    with pytest.raises(ValidationError) as caught:
        services.apply_for(enterprise, policy, 2025)
    assert "已申报 2025 年度" in caught.value.message_dict["year"][0]
    refused = services.apply_for(enterprise, policy, 2023)  # no confirmed 2023/2022 figures
    assert refused.status == "refused" and len(refused.gaps) == 2
    with pytest.raises(PermissionDenied):
        services.apply_for(staff, policy, 2025)
    exempt = services.create_policy(staff, RD_TEXT.replace("code: rd", "code: rd-x"))
    services.set_status(staff, exempt, "issued")
    with pytest.raises(ValidationError) as caught:
        services.apply_for(enterprise, exempt, 2025)
    assert "无需申报" in caught.value.message_dict["policy"][0]


def test_uptake_by_area(users: dict[str, Any], in_notice: Any) -> None:
    from kechuang.policies.selectors import uptake

    staff = users["city_staff"]
    rows = by_org(in_notice)
    services.confirm(users["enterprise"], rows["卧龙测试企业（测试）"], "银行", "6217000012345678")
    services.exclude(staff, rows["宛城第四企业（测试）"], "已注销")
    later = timezone.localdate() + dt.timedelta(days=2)
    batch = services.create_batch(staff, in_notice, today=later)
    services.record_payment(staff, batch, later.isoformat())
    table = uptake(staff, in_notice)
    days = (later - in_notice.as_of).days
    assert table["卧龙区"] == {
        "entitled": 2,
        "excluded": 0,
        "confirmed": 1,
        "declined": 0,
        "objected": 0,
        "paid": 2,
        "amount": batch.entitlements.filter(organization__area__name="卧龙区").aggregate(
            s=Sum("paid_amount")
        )["s"],
        "rate": 1.0,
        "days_to_payment": float(days),
    }
    assert (table["宛城区"]["entitled"], table["宛城区"]["excluded"]) == (1, 1)
    assert list(uptake(users["county_staff"], in_notice)) == ["卧龙区"]
