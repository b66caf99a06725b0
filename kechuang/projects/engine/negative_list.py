"""The negative list (负面清单) of 包干制 spending: every reported item is checked against
configurable rules, and each hit names the rule and its source. No Django.

Two kinds of rule (see `data/projects/negative-list.yaml`):
- keyword rules: an item whose category or description contains one of the rule's keywords is
  flagged (case and full-width forms folded);
- share rules (`max_share`, percent): among items of the rule's categories that match its
  keywords (all of them when it has none), the running total may not exceed `max_share` % of the
  project's funds; the item that crosses the limit, and every later one, is flagged.
Items are taken in the order given (the order they were spent), so the hit is reproducible.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any


class RuleFileError(ValueError):
    """The rule file is malformed; the message is Chinese and names the rule."""


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    source: str
    keywords: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    max_share: Decimal | None = None  # percent of the project's funds


@dataclass(frozen=True)
class Item:
    id: str
    category: str
    description: str
    amount: Decimal


@dataclass(frozen=True)
class Hit:
    item: str
    rule: str
    title: str
    source: str
    why: str

    def to_dict(self) -> dict[str, str]:
        return {
            "item": self.item,
            "rule": self.rule,
            "title": self.title,
            "source": self.source,
            "why": self.why,
        }


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _share(value: Any, code: str) -> Decimal | None:
    if value is None:
        return None
    try:
        share = Decimal(str(value))
    except InvalidOperation as error:
        raise RuleFileError(f"负面清单规则 {code} 的 max_share“{value}”不是数字。") from error
    if not (0 <= share <= 100):
        raise RuleFileError(f"负面清单规则 {code} 的 max_share 应在 0 到 100 之间。")
    return share


def parse_rules(data: Mapping[str, Any]) -> list[Rule]:
    """The rules of a rule file (already read from YAML); RuleFileError when malformed."""
    rules = []
    for i, raw in enumerate(data.get("rules") or [], 1):
        if not isinstance(raw, Mapping):
            raise RuleFileError(f"负面清单第 {i} 条规则应为对象。")
        code = str(raw.get("code") or "")
        for key in ("code", "title", "source"):
            if not raw.get(key):
                raise RuleFileError(f"负面清单第 {i} 条规则缺少 {key}。")
        keywords = tuple(fold(str(k)) for k in raw.get("keywords") or [])
        categories = tuple(str(c) for c in raw.get("categories") or [])
        share = _share(raw.get("max_share"), code)
        if not keywords and share is None:
            raise RuleFileError(f"负面清单规则 {code} 既无关键词也无限额，无法检查。")
        rules.append(Rule(code, str(raw["title"]), str(raw["source"]), keywords, categories, share))
    return rules


def _keyword(rule: Rule, item: Item) -> str | None:
    text = fold(f"{item.category} {item.description}")
    return next((k for k in rule.keywords if k in text), None)


def _keyword_hits(rule: Rule, items: Iterable[Item]) -> list[Hit]:
    hits = []
    for item in items:
        found = _keyword(rule, item)
        if found is not None:
            hits.append(Hit(item.id, rule.code, rule.title, rule.source, f"含“{found}”"))
    return hits


def _share_hits(rule: Rule, items: Iterable[Item], funds: Decimal) -> list[Hit]:
    assert rule.max_share is not None
    limit = funds * rule.max_share / 100
    total, hits = Decimal(0), []
    for item in items:
        if rule.categories and item.category not in rule.categories:
            continue
        if rule.keywords and _keyword(rule, item) is None:
            continue
        total += item.amount
        if total > limit:
            why = (
                f"累计 {total.normalize():f} 万元，超过项目经费 {funds.normalize():f} 万元的 "
                f"{rule.max_share.normalize():f}%（{limit.normalize():f} 万元）"
            )
            hits.append(Hit(item.id, rule.code, rule.title, rule.source, why))
    return hits


def check(items: list[Item], rules: list[Rule], funds: Decimal) -> list[Hit]:
    """Every hit of every rule on `items` (in rule order, then item order)."""
    hits: list[Hit] = []
    for rule in rules:
        if rule.max_share is not None:
            hits += _share_hits(rule, items, funds)
        else:
            hits += _keyword_hits(rule, items)
    return hits
