"""Fixtures of the market tests: listings written by their owners and taken through the
workflow by staff."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

DEMAND = {
    "title": "防爆电机温升过高，需要新的散热结构",
    "problem": "矿用防爆电机满载运行温升超过 80 K，需要新的散热结构，不改变隔爆外壳。",
    "targets": "温升降低 10 K 以上",
    "keywords": "防爆电机、散热",
}
ACHIEVEMENT = {
    "title": "一种隔爆型电动机的冷却装置",
    "description": "在隔爆型电动机机壳内设置轴向风道与散热片，降低绕组温度，已完成中试。",
    "maturity": "pilot",
    "trl": 6,
    "transfer_modes": ["license", "transfer"],
    "keywords": "隔爆电动机、冷却",
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OTHER = {
    "title": "香菇酱超临界萃取增香工艺",
    "description": "以香菇为原料，超临界萃取香味物质，用于香菇酱增香。",
    "maturity": "industrial",
    "trl": 9,
    "transfer_modes": ["transfer"],
}


@pytest.fixture(autouse=True)
def learnt_synonyms(settings: Any, tmp_path: Any) -> Any:
    """Each test's own learnt-synonym file (none until a test learns): a developer's
    var/market/learnt_synonyms.tsv never changes what a test finds."""
    settings.MARKET_LEARNT_SYNONYMS = tmp_path / "learnt_synonyms.tsv"
    settings.MARKET_INDEX_SNAPSHOT = tmp_path / "match_index.pickle"
    return settings.MARKET_LEARNT_SYNONYMS


@pytest.fixture
def publish(users: dict[str, Any]) -> Callable[..., Any]:
    """A listing written by its owner, submitted, reviewed and published by city staff."""
    from kechuang.market import services

    def make(owner: str, model: Any, data: dict[str, Any], until: str = "publish") -> Any:
        listing = services.save_listing(users[owner], model(), dict(data))
        for name in ("submit", "review", "publish"):
            actor = users[owner] if name == "submit" else users["city_staff"]
            listing = services.step(actor, listing, name)
            if name == until:
                break
        return listing

    return make


@pytest.fixture
def market(publish: Callable[..., Any]) -> dict[str, Any]:
    from kechuang.market.models import Achievement, TechDemand

    return {
        "demand": publish("enterprise", TechDemand, DEMAND),
        "achievement": publish("institution", Achievement, ACHIEVEMENT),
        "other": publish("institution", Achievement, OTHER),
    }


@pytest.fixture
def make_broker(wolong: Any) -> Callable[..., Any]:
    """A public broker in 卧龙区, by default 周经理人 (电机、技术转移); `extra` gives its account
    (`user`) or its institution (`agency`)."""
    from kechuang.market.models import Broker

    def make(name: str = "周经理人", fields: str = "电机、技术转移", **extra: Any) -> Any:
        return Broker.objects.create(name=name, area=wolong, fields=fields, **extra)

    return make
