"""Technology-trade statistics over the register.

Counted: registered contracts (a registration date), cancelled ones excluded; a changed contract
counts once, at its latest amounts (the caller passes the latest version, or uses `latest`).
技术输出 counts a contract in its seller's area and every area above it; 技术吸纳 in its buyer's
area and above; a buyer outside the city (no area path) counts in 输出 only. The flows matrix
pairs the seller's county with the buyer's county, or with "市外·<省/市>" for outside buyers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

CANCELLED = "cancelled"
OUTSIDE = "市外"


@dataclass(frozen=True)
class ContractRecord:
    registration_no: str
    status: str  # registered / changed / cancelled
    registered_on: dt.date | None
    total: Decimal  # 合同成交额, 万元
    technology: Decimal  # 技术交易额, 万元
    category: str = ""  # the statistical category (技术培训、技术中介 apart)
    field: str = ""
    industry: str = ""
    seller_kind: str = ""
    seller_name: str = ""
    buyer_name: str = ""
    seller_areas: tuple[str, ...] = ()  # area names from the city down to the seller's area
    buyer_areas: tuple[str, ...] = ()  # empty: buyer outside the city
    buyer_region: str = ""  # province or city of an outside buyer


@dataclass
class Sums:
    count: int = 0
    total: Decimal = Decimal(0)
    technology: Decimal = Decimal(0)

    def add(self, record: ContractRecord) -> None:
        self.count += 1
        self.total += record.total
        self.technology += record.technology

    def as_dict(self) -> dict[str, object]:
        return {"count": self.count, "total": self.total, "technology": self.technology}


def _sums() -> defaultdict[str, Sums]:
    return defaultdict(Sums)


@dataclass
class Statistics:
    totals: Sums = field(default_factory=Sums)
    by_period: defaultdict[str, Sums] = field(default_factory=_sums)
    output_by_area: defaultdict[str, Sums] = field(default_factory=_sums)  # 技术输出
    absorbed_by_area: defaultdict[str, Sums] = field(default_factory=_sums)  # 技术吸纳
    flows: defaultdict[tuple[str, str], Sums] = field(default_factory=lambda: defaultdict(Sums))
    by_category: defaultdict[str, Sums] = field(default_factory=_sums)
    by_field: defaultdict[str, Sums] = field(default_factory=_sums)
    by_industry: defaultdict[str, Sums] = field(default_factory=_sums)
    by_seller_kind: defaultdict[str, Sums] = field(default_factory=_sums)
    by_seller: defaultdict[str, Sums] = field(default_factory=_sums)
    by_buyer: defaultdict[str, Sums] = field(default_factory=_sums)

    def top_sellers(self, n: int = 10) -> list[tuple[str, Sums]]:
        return _top(self.by_seller, n)

    def top_buyers(self, n: int = 10) -> list[tuple[str, Sums]]:
        return _top(self.by_buyer, n)


def _top(sums: dict[str, Sums], n: int) -> list[tuple[str, Sums]]:
    return sorted(sums.items(), key=lambda kv: (-kv[1].total, kv[0]))[:n]


def period_key(day: dt.date, period: str = "year") -> str:
    if period == "year":
        return f"{day.year}"
    if period == "quarter":
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    if period == "month":
        return f"{day.year}-{day.month:02d}"
    raise ValueError(f"未知的统计周期：{period}（应为 year、quarter 或 month）")


def latest(records: Iterable[ContractRecord]) -> list[ContractRecord]:
    """One record per registration number: the last given (a later row is a change)."""
    by_number: dict[str, ContractRecord] = {}
    for record in records:
        by_number.pop(record.registration_no, None)
        by_number[record.registration_no] = record
    return list(by_number.values())


def counted(
    records: Iterable[ContractRecord], keep: Callable[[ContractRecord], bool] | None = None
) -> list[ContractRecord]:
    """Registered contracts that count: not cancelled, with a registration date."""
    return [
        r
        for r in records
        if r.status != CANCELLED and r.registered_on is not None and (keep is None or keep(r))
    ]


def in_year(year: int) -> Callable[[ContractRecord], bool]:
    return lambda r: r.registered_on is not None and r.registered_on.year == year


def _level(path: tuple[str, ...], level: int) -> str:
    return path[min(level, len(path) - 1)]


def aggregate(
    records: Iterable[ContractRecord], period: str = "year", flow_level: int = 1
) -> Statistics:
    """Every figure of the statistics pages in one pass over the counted contracts.

    `flow_level`: the depth of the area paths the flows matrix pairs (1 = counties of the city).
    """
    stats = Statistics()
    for record in counted(records):
        stats.totals.add(record)
        stats.by_period[period_key(record.registered_on, period)].add(record)  # type: ignore[arg-type]
        for area in record.seller_areas:
            stats.output_by_area[area].add(record)
        for area in record.buyer_areas:
            stats.absorbed_by_area[area].add(record)
        seller = _level(record.seller_areas, flow_level) if record.seller_areas else OUTSIDE
        if record.buyer_areas:
            buyer = _level(record.buyer_areas, flow_level)
        else:
            buyer = f"{OUTSIDE}·{record.buyer_region}" if record.buyer_region else OUTSIDE
        stats.flows[(seller, buyer)].add(record)
        stats.by_category[record.category].add(record)
        stats.by_field[record.field or "未填写"].add(record)
        stats.by_industry[record.industry or "未填写"].add(record)
        stats.by_seller_kind[record.seller_kind or "未填写"].add(record)
        stats.by_seller[record.seller_name].add(record)
        stats.by_buyer[record.buyer_name].add(record)
    return stats
