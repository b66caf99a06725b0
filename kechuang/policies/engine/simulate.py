"""Uptake and cost before a policy is issued: evaluate a (draft) policy over every enterprise's
facts and summarise — how many, how much, by area and size, how many miss by one condition —
and compare with a changed parameter (a threshold, a rate, a cap). Pure: nothing is stored."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .errors import PolicyRuleError
from .evaluate import Facts, evaluate
from .rules import parse_policy

AMOUNT_BANDS = (
    Decimal(0),
    Decimal(50000),
    Decimal(100000),
    Decimal(200000),
    Decimal(500000),
    Decimal(1000000),
)


@dataclass
class Group:
    count: int = 0
    total: Decimal = Decimal(0)


@dataclass
class Summary:
    eligible: int = 0
    total: Decimal = Decimal(0)
    near_miss: int = 0
    evaluated: int = 0
    by_area: dict[str, Group] = field(default_factory=dict)
    by_size: dict[str, Group] = field(default_factory=dict)
    bands: list[int] = field(default_factory=lambda: [0] * len(AMOUNT_BANDS))
    entitled: set[int] = field(default_factory=set)


def band_labels() -> list[str]:
    labels = []
    for low, high in zip(AMOUNT_BANDS, (*AMOUNT_BANDS[1:], None), strict=True):
        low_w = f"{low / 10000:g} 万"
        labels.append(f"{low_w}以上" if high is None else f"{low_w}–{high / 10000:g} 万元")
    return labels


def summarise(
    document: dict[str, Any], facts: Iterable[Facts], year: int, rewarded: set[int] | None = None
) -> Summary:
    policy = parse_policy(document)
    rewarded = rewarded or set()
    summary = Summary()
    for f in facts:
        summary.evaluated += 1
        outcome = evaluate(
            policy, f, year, rewarded_before=f.organization_id in rewarded, explain=False
        )
        if outcome.near_miss:
            summary.near_miss += 1
        if not outcome.eligible:
            continue
        summary.eligible += 1
        summary.total += outcome.amount
        summary.entitled.add(f.organization_id)
        for key, groups in ((f.area_name or f.area, summary.by_area), (f.size, summary.by_size)):
            group = groups.setdefault(key or "未填写", Group())
            group.count += 1
            group.total += outcome.amount
        band = max(i for i, low in enumerate(AMOUNT_BANDS) if outcome.amount >= low)
        summary.bands[band] += 1
    return summary


_PATH = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")


def with_changes(document: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A copy of `document` with `changes` = {"amount.rate": 0.08, "conditions[1].value": 200}
    applied; an unknown path is a PolicyRuleError naming it."""
    changed = copy.deepcopy(document)
    for path, value in changes.items():
        target: Any = changed
        parts = path.split(".")
        for depth, part in enumerate(parts):
            match = _PATH.fullmatch(part)
            if match is None or not isinstance(target, dict):
                raise PolicyRuleError.on(path, f"无法识别的参数路径“{path}”。")
            name, index = match.group(1), match.group(2)
            last = depth == len(parts) - 1 and index is None
            if last:
                target[name] = value
                break
            if name not in target:
                raise PolicyRuleError.on(path, f"政策中没有“{name}”这一项（参数路径“{path}”）。")
            target = target[name]
            if index is not None:
                if not isinstance(target, list) or int(index) >= len(target):
                    raise PolicyRuleError.on(
                        path, f"政策中没有第 {int(index) + 1} 项（参数路径“{path}”）。"
                    )
                if depth == len(parts) - 1:
                    raise PolicyRuleError.on(path, f"参数路径“{path}”应指向一个具体的值。")
                target = target[int(index)]
    parse_policy(changed)  # the changed draft must itself be valid
    return changed


@dataclass
class Comparison:
    before: Summary
    after: Summary

    @property
    def gained(self) -> set[int]:
        return self.after.entitled - self.before.entitled

    @property
    def lost(self) -> set[int]:
        return self.before.entitled - self.after.entitled


def compare(
    document: dict[str, Any],
    changes: dict[str, Any],
    facts: list[Facts],
    year: int,
    rewarded: set[int] | None = None,
) -> Comparison:
    changed = with_changes(document, changes)
    return Comparison(
        summarise(document, facts, year, rewarded), summarise(changed, facts, year, rewarded)
    )
