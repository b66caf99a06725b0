"""Policies as data: the document a city staff member writes (YAML or JSON) and its validation.

A document (all money in 元, figures in 万元 as the annual report holds them)::

    code: rd-increase-subsidy          # stable identifier
    name: 研发投入后补助（示例）
    mode: exempt                       # exempt 免申即享 / confirm 即申即享 / apply 申报
    frequency: yearly                  # yearly / once (an enterprise is rewarded once ever)
    conditions:                        # all must hold
      - {fact: holds, kind: HNTE}
      - {fact: figure, field: rd_expense, op: ">=", value: 100}
      - {fact: increase, field: rd_expense, op: ">", value: 0}
    amount: {kind: rate, rate: 0.1, base: {fact: increase, field: rd_expense}, cap: 1000000}
    stacking: {group: rd, rule: highest}
    budget: {total: 5000000, shortfall: pro_rata}

`parse_policy(document)` returns a `Policy` or raises `PolicyRuleError` naming every field at
fault (all problems at once) in Chinese: an unknown fact or figure, an operator the fact does not
take, a cap below the floor, a negative budget, overlapping tiers, a ratio as an amount base.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import PolicyRuleError
from .vocabulary import (
    AMOUNT_KINDS,
    BASE_FACTS,
    FACTS,
    FIGURES,
    FREQUENCIES,
    MODES,
    NUMBER_OPS,
    PLATFORM_LEVELS,
    PRIORITY_ORDERS,
    QUALIFICATIONS,
    SET_OPS,
    SHORTFALL_RULES,
    STACKING_RULES,
)


@dataclass(frozen=True)
class Condition:
    fact: str
    op: str = ""
    value: Any = None
    kind: str = ""  # qualification kind (holds, first_granted)
    field: str = ""  # annual-report figure (figure, increase, growth_rate)
    year: int = 0  # figure: 0 = the policy year, -1 = the year before
    levels: tuple[str, ...] = ()  # new_platforms
    kinds: tuple[str, ...] = ()  # new_platforms: platform kinds (any when empty)
    label: str = ""  # an optional wording shown instead of the generated one


@dataclass(frozen=True)
class Tier:
    minimum: Decimal
    maximum: Decimal | None  # exclusive; None = no upper bound
    amount: Decimal


@dataclass(frozen=True)
class Amount:
    kind: str
    value: Decimal = Decimal(0)  # fixed amount (元)
    rate: Decimal = Decimal(0)  # rate × base (万元) × 10000
    unit_amount: Decimal = Decimal(0)  # per_unit: 元 per unit of base
    base: Condition | None = None
    tiers: tuple[Tier, ...] = ()
    floor: Decimal | None = None
    cap: Decimal | None = None


@dataclass(frozen=True)
class Stacking:
    group: str
    rule: str = "highest"
    cap: Decimal | None = None


@dataclass(frozen=True)
class Budget:
    total: Decimal | None = None  # None = no budget line in the document
    shortfall: str = "pro_rata"
    priority: str = "amount_desc"


@dataclass(frozen=True)
class Policy:
    code: str
    name: str
    mode: str
    frequency: str
    conditions: tuple[Condition, ...]
    amount: Amount
    stacking: Stacking | None = None
    budget: Budget = field(default_factory=Budget)
    label: str = ""
    document: str = ""
    article: str = ""
    department: str = ""
    note: str = ""


class _Collector:
    """Gathers every problem of a document, keyed by its path."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def money(self, raw: Any, path: str, *, required: bool = False) -> Decimal | None:
        if raw is None or raw == "":
            if required:
                self.add(path, "必填：请填写金额（元）。")
            return None
        number = self.number(raw, path)
        if number is not None and number < 0:
            self.add(path, f"金额不能为负数（填写的是 {raw}），请填写不小于 0 的金额（元）。")
            return None
        return number

    def number(self, raw: Any, path: str) -> Decimal | None:
        if isinstance(raw, bool):
            self.add(path, f"应为数字，填写的是 {raw}。")
            return None
        try:
            number = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            self.add(path, f"应为数字，填写的是“{raw}”。")
            return None
        if not number.is_finite():
            self.add(path, f"应为有限的数字，填写的是“{raw}”。")
            return None
        return number


def _choice(c: _Collector, raw: Any, path: str, choices: dict[str, str], what: str) -> str:
    if raw in choices:
        return str(raw)
    allowed = "、".join(f"{k}（{v}）" for k, v in choices.items())
    c.add(path, f"未知的{what}“{raw}”，应为：{allowed}。")
    return ""


def _condition(c: _Collector, raw: Any, path: str, *, as_base: bool = False) -> Condition | None:
    if not isinstance(raw, dict):
        c.add(path, "每个条件应为一个对象，如 {fact: holds, kind: HNTE}。")
        return None
    fact = raw.get("fact")
    if fact not in FACTS:
        c.add(f"{path}.fact", f"未知的事实“{fact}”，可用：{'、'.join(FACTS)}。")
        return None
    if as_base and fact not in BASE_FACTS:
        c.add(f"{path}.fact", f"“{fact}”不能作为金额的计算基数，可用：{'、'.join(BASE_FACTS)}。")
        return None
    known = {"fact", "op", "value", "kind", "field", "year", "levels", "kinds", "label"}
    for extra in sorted(set(raw) - known):
        c.add(f"{path}.{extra}", f"条件中未知的键“{extra}”（字段名写错了吗？）。")
    kind = _qualification(c, raw, path, fact)
    figure = _figure(c, raw, path, fact)
    year = raw.get("year", 0)
    if year not in (0, -1):
        c.add(f"{path}.year", f"year 只能为 0（政策年度）或 -1（上一年度），填写的是 {year}。")
    levels = tuple(raw.get("levels") or ())
    for level in levels:
        _choice(c, level, f"{path}.levels", PLATFORM_LEVELS, "平台级别")
    op, value = ("", None) if as_base else _operator(c, raw, path, fact)
    return Condition(
        fact=fact,
        op=op,
        value=value,
        kind=kind,
        field=figure,
        year=year if year in (0, -1) else 0,
        levels=levels,
        kinds=tuple(raw.get("kinds") or ()),
        label=str(raw.get("label") or ""),
    )


def _qualification(c: _Collector, raw: dict[str, Any], path: str, fact: str) -> str:
    if fact not in ("holds", "first_granted"):
        return ""
    return _choice(c, raw.get("kind"), f"{path}.kind", QUALIFICATIONS, "资质类型")


def _figure(c: _Collector, raw: dict[str, Any], path: str, fact: str) -> str:
    if fact not in ("figure", "increase", "growth_rate"):
        return ""
    return _choice(c, raw.get("field"), f"{path}.field", FIGURES, "年度数据字段")


def _operator(c: _Collector, raw: dict[str, Any], path: str, fact: str) -> tuple[str, Any]:
    kind = FACTS[fact][1]
    op = raw.get("op")
    if kind == "bool":
        if op not in (None, "is"):
            c.add(f"{path}.op", f"“{fact}”是是非条件，不带运算符（填写的是“{op}”）。")
        value = raw.get("value", True)
        if not isinstance(value, bool):
            c.add(f"{path}.value", f"应为 true 或 false，填写的是“{value}”。")
            value = True
        return "is", value
    if kind == "set":
        if op not in SET_OPS:
            c.add(f"{path}.op", f"“{fact}”的运算符应为 in 或 not_in，填写的是“{op}”。")
        values = raw.get("value")
        if not isinstance(values, list) or not values:
            c.add(f"{path}.value", '应为非空列表，如 ["411303"]。')
            values = []
        return str(op or ""), tuple(str(v) for v in values)
    if fact == "new_platforms" and op is None and raw.get("value") is None:
        return ">=", Decimal(1)
    if op not in NUMBER_OPS:
        c.add(f"{path}.op", f"运算符应为 {'、'.join(NUMBER_OPS)} 之一，填写的是“{op}”。")
    if raw.get("value") is None:
        c.add(f"{path}.value", "必填：请填写门槛数值。")
        return str(op or ""), Decimal(0)
    return str(op or ""), c.number(raw.get("value"), f"{path}.value") or Decimal(0)


def _tiers(c: _Collector, raw: Any, path: str) -> tuple[Tier, ...]:
    if not isinstance(raw, list) or not raw:
        c.add(path, "分档金额需要至少一档，如 [{min: 0, max: 100, amount: 50000}]。")
        return ()
    tiers = []
    for i, item in enumerate(raw):
        where = f"{path}[{i}]"
        if not isinstance(item, dict):
            c.add(where, "每一档应为 {min, max, amount}。")
            continue
        low = c.number(item.get("min", 0), f"{where}.min") or Decimal(0)
        high = None if item.get("max") is None else c.number(item["max"], f"{where}.max")
        amount = c.money(item.get("amount"), f"{where}.amount", required=True) or Decimal(0)
        if high is not None and high <= low:
            c.add(f"{where}.max", f"上限 {high} 应大于下限 {low}。")
        tiers.append(Tier(low, high, amount))
    for i, (before, after) in enumerate(itertools.pairwise(tiers)):
        if before.maximum is None or after.minimum < before.maximum:
            c.add(
                f"{path}[{i + 1}].min",
                "分档应从低到高排列且互不重叠（下一档的下限不小于上一档的上限）。",
            )
    return tuple(tiers)


def _amount(c: _Collector, raw: Any) -> Amount:
    if not isinstance(raw, dict):
        c.add("amount", "必填：金额公式，如 {kind: fixed, value: 100000}。")
        return Amount(kind="fixed")
    kind = _choice(c, raw.get("kind"), "amount.kind", AMOUNT_KINDS, "金额方式")
    base = None
    if kind in ("rate", "per_unit", "tiers"):
        if raw.get("base") is None:
            c.add(
                "amount.base",
                "必填：按比例、按单位或分档的金额需要计算基数，如 {fact: increase, ...}。",
            )
        else:
            base = _condition(c, raw["base"], "amount.base", as_base=True)
    rate = Decimal(0)
    if kind == "rate":
        rate = c.number(raw.get("rate"), "amount.rate") or Decimal(0)
        if not Decimal(0) < rate <= Decimal(1):
            c.add(
                "amount.rate",
                f"比例应大于 0 且不超过 1（如 0.1 表示 10%），填写的是 {raw.get('rate')}。",
            )
    floor = c.money(raw.get("floor"), "amount.floor")
    cap = c.money(raw.get("cap"), "amount.cap")
    if floor is not None and cap is not None and cap < floor:
        c.add("amount.cap", f"封顶金额 {cap} 元低于保底金额 {floor} 元：请调高封顶或调低保底。")
    return Amount(
        kind=kind,
        value=(c.money(raw.get("value"), "amount.value", required=kind == "fixed") or Decimal(0)),
        rate=rate,
        unit_amount=(
            c.money(raw.get("unit_amount"), "amount.unit_amount", required=kind == "per_unit")
            or Decimal(0)
        ),
        base=base,
        tiers=_tiers(c, raw.get("tiers"), "amount.tiers") if kind == "tiers" else (),
        floor=floor,
        cap=cap,
    )


def _stacking(c: _Collector, raw: Any) -> Stacking | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw.get("group"):
        c.add("stacking.group", "不重复享受规则需要一个分组名（同组政策之间不重复享受）。")
        return None
    rule = _choice(c, raw.get("rule", "highest"), "stacking.rule", STACKING_RULES, "叠加规则")
    cap = c.money(raw.get("cap"), "stacking.cap", required=rule == "combined_cap")
    return Stacking(group=str(raw["group"]), rule=rule, cap=cap)


def _budget(c: _Collector, raw: Any) -> Budget:
    if raw is None:
        return Budget()
    if not isinstance(raw, dict):
        c.add("budget", "预算应为 {total, shortfall}。")
        return Budget()
    total = c.money(raw.get("total"), "budget.total")
    shortfall = _choice(
        c, raw.get("shortfall", "pro_rata"), "budget.shortfall", SHORTFALL_RULES, "超预算规则"
    )
    priority = _choice(
        c, raw.get("priority", "amount_desc"), "budget.priority", PRIORITY_ORDERS, "排序方式"
    )
    return Budget(total=total, shortfall=shortfall, priority=priority)


def parse_policy(document: Any) -> Policy:
    """Validate a policy document (a dict) and return the `Policy`; every fault at once."""
    c = _Collector()
    if not isinstance(document, dict):
        raise PolicyRuleError.on("document", "政策文件应为一个对象（YAML 映射或 JSON 对象）。")
    for key in ("code", "name"):
        if not str(document.get(key) or "").strip():
            c.add(key, "必填。")
    mode = _choice(c, document.get("mode", "exempt"), "mode", MODES, "兑现方式")
    frequency = _choice(
        c, document.get("frequency", "yearly"), "frequency", FREQUENCIES, "兑现频次"
    )
    raw_conditions = document.get("conditions")
    if not isinstance(raw_conditions, list) or not raw_conditions:
        c.add("conditions", "至少需要一个享受条件。")
        raw_conditions = []
    conditions = [_condition(c, raw, f"conditions[{i}]") for i, raw in enumerate(raw_conditions)]
    policy = Policy(
        code=str(document.get("code") or "").strip(),
        name=str(document.get("name") or "").strip(),
        mode=mode,
        frequency=frequency,
        conditions=tuple(x for x in conditions if x is not None),
        amount=_amount(c, document.get("amount")),
        stacking=_stacking(c, document.get("stacking")),
        budget=_budget(c, document.get("budget")),
        label=str(document.get("label") or ""),
        document=str(document.get("document") or ""),
        article=str(document.get("article") or ""),
        department=str(document.get("department") or ""),
        note=str(document.get("note") or ""),
    )
    if c.errors:
        raise PolicyRuleError(c.errors)
    return policy


@dataclass(frozen=True)
class Needs:
    """The facts a policy reads: the registry reads only these (a run over the whole city then
    skips the tables and columns no condition or base names)."""

    figures: frozenset[str] = frozenset()
    qualifications: frozenset[str] = frozenset()
    platforms: bool = False
    contracts: bool = False
    patents: bool = False

    def __or__(self, other: Needs) -> Needs:
        return Needs(
            self.figures | other.figures,
            self.qualifications | other.qualifications,
            self.platforms or other.platforms,
            self.contracts or other.contracts,
            self.patents or other.patents,
        )


def needs_of(policy: Policy) -> Needs:
    conditions = [*policy.conditions, *([policy.amount.base] if policy.amount.base else [])]
    facts = {c.fact for c in conditions}
    return Needs(
        figures=frozenset(c.field for c in conditions if c.field),
        qualifications=frozenset(c.kind for c in conditions if c.kind),
        platforms="new_platforms" in facts,
        contracts="contract_amount" in facts,
        patents="patents_granted" in facts,
    )
