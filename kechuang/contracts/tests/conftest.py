"""Fixtures of the contracts tests: a minimal PDF, an application's data, helpers to take a
contract through the registrar's steps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def application(orgs: dict[str, Any]) -> dict[str, Any]:
    return {
        "category": "技术开发",
        "subcategory": "委托开发",
        "title": "智能装备控制系统委托开发（测试）",
        "buyer_uscc": orgs["wancheng"].uscc,
        "signed_on": dt.date(2025, 3, 1),
        "total_amount": Decimal(100),
        "declared_tech_amount": Decimal(70),
    }


@pytest.fixture
def registered(users: dict[str, Any], application: dict[str, Any]) -> Callable[..., Any]:
    """A contract applied by the enterprise and registered by city staff."""
    from kechuang.contracts import services

    def make(
        deductions: list[dict[str, Any]] | None = None, on: dt.date | None = None, **data: Any
    ) -> Any:
        contract = services.apply(users["enterprise"], {**application, **data}, PDF, "合同.pdf")
        staff = users["city_staff"]
        services.accept(staff, contract, on=dt.date(2025, 3, 3))
        services.assess(staff, contract, deductions or [])
        if contract.status == "expert_review":
            services.record_expert_review(staff, contract, "专家组认为属于技术开发合同。")
        return services.register(staff, contract, on=on or dt.date(2025, 3, 10))

    return make
