"""The registrar's workflow through the services: application, acceptance, more material (the
clock restarts), category, 核定, expert review, registration, refusal, change, cancellation,
objections; bad input refused in Chinese with nothing saved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kechuang.contracts import services
from kechuang.contracts.models import CalendarDay, ContractEvent, RegistrationPoint, TechContract
from kechuang.contracts.tests.conftest import PDF
from kechuang.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def errors(call: Any, *args: Any, **kwargs: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        call(*args, **kwargs)
    return info.value.message_dict


def test_application_is_for_the_users_own_organization(users, orgs, application) -> None:
    contract = services.apply(users["enterprise"], application, PDF, "合同.pdf")
    assert contract.seller == orgs["wolong"]
    assert contract.seller_area.name == "卧龙区"
    assert contract.buyer == orgs["wancheng"] and contract.buyer_area.name == "宛城区"
    assert (contract.category, contract.subcategory) == ("development", "commissioned")
    assert contract.status == "applied" and contract.file_name == "合同.pdf"
    assert [e.kind for e in contract.events.all()] == ["applied"]
    assert AuditEntry.objects.filter(object_repr__contains="智能装备").exists()


def test_city_staff_cannot_apply_and_enterprise_cannot_register(users, application) -> None:
    with pytest.raises(PermissionDenied):
        services.apply(users["city_staff"], application, PDF)
    contract = services.apply(users["enterprise"], application, PDF)
    with pytest.raises(PermissionDenied):
        services.accept(users["enterprise"], contract)


def test_full_path_to_registration_with_deductions(users, registered) -> None:
    contract = registered([{"kind": "equipment", "amount": "30", "description": "生产设备"}])
    assert contract.tech_amount == D(70)
    assert contract.status == "registered"
    assert contract.registration_no == "2025411303" + "00001"
    assert len(contract.check_code) == 8
    assert [e.kind for e in contract.events.order_by("id")] == [
        "applied",
        "accepted",
        "amount_assessed",
        "registered",
    ]
    assert contract.deductions.get().amount == D(30)


def test_prototypes_are_carriers_and_not_deducted(registered) -> None:
    item = {"kind": "carrier_prototype", "amount": "30", "description": "样机", "quantity": 2}
    assert registered([item]).tech_amount == D(100)


def test_500_wan_needs_expert_review_and_thirty_working_days(users, application) -> None:
    staff = users["city_staff"]
    contract = services.apply(users["enterprise"], {**application, "total_amount": D(500)}, PDF)
    services.accept(staff, contract, on=dt.date(2025, 3, 3))
    assert contract.due_on == dt.date(2025, 3, 24)  # declared 70: 15 working days
    services.assess(staff, contract, [])
    assert contract.status == "expert_review"
    assert contract.due_on == dt.date(2025, 4, 14)  # 500 exactly: 30 working days
    assert "专家评审" in errors(services.register, staff, contract)["expert_opinion"][0]
    services.record_expert_review(staff, contract, "同意按技术开发合同登记。")
    assert services.register(staff, contract).status == "registered"


def test_499_99_stays_on_fifteen_days(users, application) -> None:
    staff = users["city_staff"]
    contract = services.apply(
        users["enterprise"], {**application, "total_amount": D("499.99")}, PDF
    )
    services.accept(staff, contract, on=dt.date(2025, 3, 3))
    services.assess(staff, contract, [])
    assert contract.status == "accepted" and contract.due_on == dt.date(2025, 3, 24)


def test_asking_for_more_restarts_the_clock_and_holidays_count(
    users, application, monkeypatch
) -> None:
    CalendarDay.objects.create(day=dt.date(2025, 4, 4), kind="holiday", name="清明节")
    staff = users["city_staff"]
    contract = services.apply(users["enterprise"], application, PDF)
    services.accept(staff, contract, on=dt.date(2025, 3, 3))
    services.request_more(staff, contract, "请补充技术方案附件")
    assert contract.status == "more_requested" and contract.due_on is None
    monkeypatch.setattr(services, "today", lambda: dt.date(2025, 3, 17))
    services.complete_material(users["enterprise"], contract, "已补充")
    assert contract.clock_started_on == dt.date(2025, 3, 17)
    # 15 working days from 03-17, skipping the 04-04 holiday → 04-08 (not 04-07).
    assert contract.due_on == dt.date(2025, 4, 8)


def test_refusal_needs_a_reason(users, application) -> None:
    contract = services.apply(users["enterprise"], application, PDF)
    assert "理由" in errors(services.refuse, users["city_staff"], contract, " ")["reason"][0]
    services.refuse(users["city_staff"], contract, "不属于技术合同：为一般设备买卖。")
    assert TechContract.objects.get(pk=contract.pk).status == "refused"


def test_change_counts_the_latest_amount_and_keeps_history(users, registered) -> None:
    contract = registered()
    services.change(users["city_staff"], contract, {"total_amount": D(80)}, note="补充协议")
    contract.refresh_from_db()
    assert (contract.status, contract.total_amount, contract.tech_amount) == (
        "changed",
        D(80),
        D(80),
    )
    amounts = list(contract.events.values_list("kind", "total_amount"))
    assert ("registered", D(100)) in amounts and ("changed", D(80)) in amounts


def test_cancel_and_objection_answered(users, registered) -> None:
    contract = registered()
    objection = services.raise_objection(users["enterprise"], contract, "卖方", "金额核定有误")
    services.answer_objection(users["city_staff"], objection, "已复核，维持原核定。")
    objection.refresh_from_db()
    assert objection.status == "answered" and objection.answered_on is not None
    services.cancel(users["city_staff"], contract, "合同解除")
    assert TechContract.objects.get(pk=contract.pk).status == "cancelled"


def test_county_staff_registers_only_with_a_registration_point(users, orgs, application) -> None:
    county = users["county_staff"]
    contract = services.apply(users["enterprise"], application, PDF)
    with pytest.raises(PermissionDenied, match="登记点"):
        services.accept(county, contract)
    RegistrationPoint.objects.create(area=orgs["wolong"].area)
    assert services.accept(county, contract).status == "accepted"


# --- bad input: Chinese, named field, nothing saved --------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"declared_tech_amount": D(101)}, "tech_amount", "超过了合同成交额"),
        ({"total_amount": D(-1)}, "total_amount", "不能为负数"),
        ({"category": "技术买卖"}, "category", "未知的合同类别"),
        ({"subcategory": "专利权转让"}, "subcategory", "细分类别"),
        ({"buyer_uscc": "", "buyer_name": "外省公司"}, "buyer_region", "所在省或市"),
    ],
)
def test_bad_application_is_refused_and_saves_nothing(
    users, application, change, field, text
) -> None:
    before = (TechContract.objects.count(), ContractEvent.objects.count())
    found = errors(services.apply, users["enterprise"], {**application, **change}, PDF)
    assert text in " ".join(found[field])
    assert (TechContract.objects.count(), ContractEvent.objects.count()) == before


def test_file_checked_by_content(users, application) -> None:
    found = errors(services.apply, users["enterprise"], application, b"MZ\x90\x00fake", "合同.pdf")
    assert "按内容检查" in found["contract_file"][0]
    assert TechContract.objects.count() == 0


def test_registration_before_signing_is_refused(users, application) -> None:
    staff = users["city_staff"]
    contract = services.apply(users["enterprise"], application, PDF)
    services.accept(staff, contract, on=dt.date(2025, 3, 3))
    services.assess(staff, contract, [])
    found = errors(services.register, staff, contract, on=dt.date(2025, 2, 1))
    assert "早于签订日期" in found["registered_on"][0]
    assert TechContract.objects.get(pk=contract.pk).status == "accepted"


def test_seller_outside_the_users_scope(users, orgs, application) -> None:
    found = errors(
        services.apply,
        users["enterprise"],
        {**application, "seller_uscc": orgs["wancheng"].uscc},
        PDF,
    )
    assert "未知的单位" in found["seller_uscc"][0]


def test_duplicate_registration_number_with_different_parties(
    users, registered, orgs, application
) -> None:
    first = registered()
    other = services.apply(
        users["enterprise"], {**application, "buyer_uscc": orgs["wolong_univ"].uscc}, PDF
    )
    staff = users["city_staff"]
    services.accept(staff, other)
    services.assess(staff, other, [])
    found = errors(services.register, staff, other, number=first.registration_no)
    assert "已用于另一份合同" in found["registration_no"][0]
    assert TechContract.objects.get(pk=other.pk).registration_no is None


def test_deductions_above_the_total_are_refused(users, application) -> None:
    staff = users["city_staff"]
    contract = services.apply(users["enterprise"], application, PDF)
    services.accept(staff, contract)
    found = errors(services.assess, staff, contract, [{"kind": "equipment", "amount": "120"}])
    assert "超过了合同成交额" in found["deductions"][0]
    assert TechContract.objects.get(pk=contract.pk).tech_amount is None


def test_application_links_the_sellers_patents(users, orgs, application) -> None:
    from kechuang.registry.models import Patent

    patent = Patent.objects.create(
        number="ZL202310000001.0",
        kind="invention",
        title="一种镀膜方法",
        organization=orgs["wolong"],
        application_date=dt.date(2023, 1, 5),
        legal_status="in_force",
    )
    contract = services.apply(users["enterprise"], {**application, "patents": [patent.number]}, PDF)
    assert list(contract.patents.all()) == [patent]
    found = errors(services.apply, users["enterprise"], {**application, "patents": ["ZL0000"]}, PDF)
    assert found["patents"] == ["未知的专利号：ZL0000"]
    assert TechContract.objects.count() == 1  # the refused application left nothing behind


def test_unknown_area_filter_matches_nothing(users, registered) -> None:
    from kechuang.contracts.filters import ContractFilter
    from kechuang.contracts.selectors import contracts_for

    registered()
    rows = ContractFilter(seller_area="火星区").filter(contracts_for(users["city_staff"]))
    assert rows.count() == 0
    rows = ContractFilter(seller_area="南阳市").filter(contracts_for(users["city_staff"]))
    assert rows.count() == 1
