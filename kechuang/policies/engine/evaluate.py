"""Evaluating a policy for one enterprise and one year: which conditions held with which facts,
and the amount, with the formula spelled out (the explanation kept with each entitlement).

Facts are plain data gathered from the confirmed registry (`Facts`); a missing figure makes its
condition fail as 数据缺失 (never guessed). Money is in 元, rounded half-up to the fen; figures
are in 万元, so `rate × base` is `rate × base × 10000` 元.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .rules import Amount, Condition, Policy
from .vocabulary import FIGURE_UNITS, FIGURES, PLATFORM_LEVELS, QUALIFICATIONS, SIZES

FEN = Decimal("0.01")
WAN = Decimal(10000)


def to_fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Facts:
    """What the registry holds about one enterprise for the policy year (confirmed data only)."""

    organization_id: int
    name: str = ""
    area: str = ""  # area code
    area_name: str = ""
    size: str = ""
    held: frozenset[str] = frozenset()  # qualification kinds valid on 31 December
    first_granted: frozenset[str] = frozenset()  # kinds first granted (ever) within the year
    figures: dict[int, dict[str, Decimal | None]] = field(default_factory=dict)  # year -> figures
    # (kind, level after, level before — '' for an approval) of the platforms the enterprise
    # hosts approved or upgraded within the year
    new_platforms: tuple[tuple[str, ...], ...] = ()
    contract_amount: Decimal = Decimal(0)  # 万元 of 核定技术交易额 registered within the year
    patents_granted: int = 0


@dataclass(frozen=True)
class Check:
    label: str  # the condition in words
    fact: str  # the fact found, in words
    held: bool
    missing: bool = False  # failed for want of data


@dataclass(frozen=True)
class Outcome:
    organization_id: int
    eligible: bool
    amount: Decimal  # 元, to the fen; 0 when not eligible
    base: Decimal | None
    formula: str  # how the amount was computed, in words
    checks: tuple[Check, ...]

    @property
    def gaps(self) -> list[str]:
        return [c.label for c in self.checks if not c.held]

    @property
    def near_miss(self) -> bool:
        """Missed by exactly one condition (listed with its gap, like the reserve pool)."""
        return not self.eligible and len(self.gaps) == 1


def _num(value: Decimal) -> str:
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return text or "0"


def _figure(facts: Facts, year: int, name: str) -> Decimal | None:
    return facts.figures.get(year, {}).get(name)


def fact_value(
    condition: Condition, facts: Facts, year: int, explain: bool = True
) -> tuple[object, str]:
    """The value a condition (or an amount base) reads and its wording ("" unless `explain`);
    None = 数据缺失."""
    fact = condition.fact
    if fact == "holds":
        return condition.kind in facts.held, "是" if condition.kind in facts.held else "否"
    if fact == "first_granted":
        got = condition.kind in facts.first_granted
        return got, "是" if got else "否"
    if fact in ("figure", "increase", "growth_rate"):
        return _figure_fact(condition, facts, year, explain)
    if fact == "new_platforms":
        found = [p for p in facts.new_platforms if _is_new(p, condition)]
        return Decimal(len(found)), f"{len(found)} 个"
    if fact == "contract_amount":
        amount = facts.contract_amount
        return amount, f"{_num(amount)} 万元" if explain else ""
    if fact == "patents_granted":
        return Decimal(facts.patents_granted), f"{facts.patents_granted} 件"
    if fact == "area":
        return facts.area, facts.area_name or facts.area or "未填写"
    return facts.size, SIZES.get(facts.size, facts.size or "未填写")


def _is_new(platform: tuple[str, ...], condition: Condition) -> bool:
    """New at `levels`: approved at one, or upgraded into one from a level outside them (the
    registry's rule: a provincial platform upgraded to national is no new 省级以上 platform)."""
    kind, after = platform[0], platform[1]
    before = platform[2] if len(platform) > 2 else ""
    if condition.kinds and kind not in condition.kinds:
        return False
    if not condition.levels:
        return True
    return after in condition.levels and before not in condition.levels


def _figure_value(condition: Condition, facts: Facts, year: int) -> Decimal | None:
    """The number alone (the simulation's fast path: no wording)."""
    name = condition.field
    if condition.fact == "figure":
        return _figure(facts, year + condition.year, name)
    now, before = _figure(facts, year, name), _figure(facts, year - 1, name)
    if now is None or before is None:
        return None
    if condition.fact == "increase":
        return now - before
    return None if before == 0 else (now - before) / before


def _figure_fact(
    condition: Condition, facts: Facts, year: int, explain: bool = True
) -> tuple[object, str]:
    name = condition.field
    if not explain:
        return _figure_value(condition, facts, year), ""
    unit = FIGURE_UNITS.get(name, "万元")
    label = FIGURES[name]
    if condition.fact == "figure":
        y = year + condition.year
        value = _figure(facts, y, name)
        if value is None:
            return None, f"{y} 年{label}：无已确认数据"
        return value, f"{y} 年{label} {_num(value)} {unit}"
    now, before = _figure(facts, year, name), _figure(facts, year - 1, name)
    if now is None or before is None:
        lacking = year if now is None else year - 1
        return None, f"{lacking} 年{label}：无已确认数据"
    if condition.fact == "increase":
        diff = now - before
        return (
            diff,
            f"{year} 年{label} {_num(now)} − {year - 1} 年 {_num(before)} = {_num(diff)} {unit}",
        )
    if before == 0:
        return None, f"{year - 1} 年{label}为 0，无法计算增长率"
    rate = (now - before) / before
    return rate, f"{label}增长率 ({_num(now)} − {_num(before)}) ÷ {_num(before)} = {rate:.2%}"


@functools.lru_cache(maxsize=1024)
def describe(condition: Condition, year: int) -> str:
    """A condition in words, as the notice and the enterprise's page show it."""
    if condition.label:
        return condition.label
    fact = condition.fact
    if fact == "holds":
        return f"{year} 年末持有有效的{QUALIFICATIONS[condition.kind]}资质"
    if fact == "first_granted":
        return f"{year} 年首次获得{QUALIFICATIONS[condition.kind]}认定"
    if fact in ("area", "size"):
        names = "、".join(condition.value)
        what = "所在区域" if fact == "area" else "企业规模"
        return f"{what}{'属于' if condition.op == 'in' else '不属于'}{names}"
    return f"{subject(condition, year)} {condition.op} {_threshold(condition)}"


def subject(condition: Condition, year: int) -> str:
    fact = condition.fact
    if fact == "figure":
        return f"{year + condition.year} 年{FIGURES[condition.field]}"
    if fact == "increase":
        return f"{year} 年{FIGURES[condition.field]}较上年增加额"
    if fact == "growth_rate":
        return f"{year} 年{FIGURES[condition.field]}增长率"
    if fact == "new_platforms":
        levels = "、".join(PLATFORM_LEVELS[x] for x in condition.levels) or "各级"
        return f"{year} 年新获批（晋级）的{levels}平台数"
    if fact == "contract_amount":
        return f"{year} 年登记技术合同技术交易额（万元）"
    return f"{year} 年授权发明专利数"


def _threshold(condition: Condition) -> str:
    value = condition.value
    if condition.fact == "growth_rate":
        return f"{value:.2%}"
    unit = (
        ""
        if condition.fact in ("new_platforms", "patents_granted")
        else FIGURE_UNITS.get(condition.field, "万元")
    )
    return f"{_num(value)} {unit}".strip()


OPERATORS = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}


def _compare(op: str, left: Decimal, right: Decimal) -> bool:
    return bool(OPERATORS[op](left, right))


def check(condition: Condition, facts: Facts, year: int, explain: bool = True) -> Check:
    value, wording = fact_value(condition, facts, year, explain)
    # without `explain` (the simulation: counts and totals only) no words at all, the label
    # included: its cache lookup hashed the whole condition, a fifth of a simulation's time
    label = describe(condition, year) if explain else ""
    if value is None:
        return Check(label, wording, held=False, missing=True)
    if condition.op == "is":
        return Check(label, wording, held=bool(value) == condition.value)
    if condition.op in ("in", "not_in"):
        inside = value in condition.value
        return Check(label, wording, held=inside if condition.op == "in" else not inside)
    return Check(label, wording, held=_compare(condition.op, Decimal(value), condition.value))


def compute_amount(
    amount: Amount, facts: Facts, year: int, explain: bool = True
) -> tuple[Decimal, Decimal | None, str]:
    """(amount in 元 to the fen, the base, the formula in words); a missing base gives 0."""
    if amount.kind == "fixed":
        return _bounded(amount, amount.value, f"定额 {_num(amount.value)} 元")
    assert amount.base is not None
    value, wording = fact_value(amount.base, facts, year, explain)
    if value is None:
        return Decimal(0), None, f"计算基数缺失（{wording}）"
    base = Decimal(value)
    if base <= 0 and amount.kind != "tiers":
        return Decimal(0), base, f"计算基数 {wording}，不大于 0，金额为 0"
    if amount.kind == "rate":
        raw = amount.rate * base * WAN
        text = f"{wording} × {amount.rate:%} = {_num(raw)} 元".replace(".000000%", "%")
    elif amount.kind == "per_unit":
        raw = amount.unit_amount * base
        text = f"{wording} × {_num(amount.unit_amount)} 元 = {_num(raw)} 元"
    else:
        tier = next(
            (
                t
                for t in amount.tiers
                if t.minimum <= base and (t.maximum is None or base < t.maximum)
            ),
            None,
        )
        if tier is None:
            return Decimal(0), base, f"{wording}，不在任何一档内，金额为 0"
        upper = "以上" if tier.maximum is None else f"至 {_num(tier.maximum)}（不含）"
        raw = tier.amount
        text = f"{wording}，属 {_num(tier.minimum)}（含）{upper} 档：{_num(raw)} 元"
    amount_value, _, text = _bounded(amount, raw, text)
    return amount_value, base, text


def _bounded(amount: Amount, raw: Decimal, text: str) -> tuple[Decimal, Decimal | None, str]:
    value = raw
    if amount.floor is not None and value < amount.floor:
        value = amount.floor
        text += f"，低于保底按 {_num(amount.floor)} 元"
    if amount.cap is not None and value > amount.cap:
        value = amount.cap
        text += f"，超过封顶按 {_num(amount.cap)} 元"
    return to_fen(value), None, text


def evaluate(
    policy: Policy, facts: Facts, year: int, *, rewarded_before: bool = False, explain: bool = True
) -> Outcome:
    """One enterprise under one policy for `year`. `rewarded_before`: a one-time policy already
    paid to it in an earlier year (the extra check is listed, so the explanation says why)."""
    checks = [check(c, facts, year, explain) for c in policy.conditions]
    if policy.frequency == "once":
        checks.append(
            Check(
                "此前未享受过本项一次性奖励",
                "已享受过" if rewarded_before else "未享受过",
                not rewarded_before,
            )
        )
    eligible = all(c.held for c in checks)
    if not eligible:
        return Outcome(facts.organization_id, False, Decimal(0), None, "不符合条件", tuple(checks))
    value, base, formula = compute_amount(policy.amount, facts, year, explain)
    return Outcome(facts.organization_id, value > 0, value, base, formula, tuple(checks))
