"""Synonym and related-term expansion from a table kept as data (`data/synonyms.tsv`).

Each line of the table is a group of terms that name the same thing (or the same problem and its
remedy), a weight for a match found through the group, and why the terms belong together — the
reason is shown in the match's explanation, so a user sees "防爆 ≈ 隔爆 (隔爆型是防爆型式之一)"
rather than an unexplained hit. The issue's example is the reason for the first lines:
"防爆电机温升过高，需要新的散热结构" must find "一种隔爆型电动机的冷却装置".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kechuang.market.engine.normalize import normalize

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class SynonymGroup:
    terms: tuple[str, ...]
    weight: float
    reason: str


@dataclass(frozen=True)
class Expansion:
    """A term to look for on behalf of a query term."""

    term: str
    weight: float
    group: SynonymGroup | None  # None: the query term itself


def parse_groups(text: str) -> tuple[SynonymGroup, ...]:
    groups = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise ValueError(
                f"同义词表第 {number} 行应有三列（词组、权重、理由），实有 {len(parts)} 列"
            )
        terms = tuple(dict.fromkeys(normalize(t.strip()) for t in parts[0].split("|") if t.strip()))
        weight = float(parts[1])
        if not 0 < weight <= 1 or len(terms) < 2:
            raise ValueError(f"同义词表第 {number} 行：权重须在 (0,1] 内，且至少两个词")
        groups.append(SynonymGroup(terms, weight, parts[2].strip()))
    return tuple(groups)


@cache
def default_groups() -> tuple[SynonymGroup, ...]:
    return parse_groups((DATA / "synonyms.tsv").read_text(encoding="utf-8"))


class Thesaurus:
    def __init__(self, groups: tuple[SynonymGroup, ...] = ()) -> None:
        self.groups = groups
        self._by_term: dict[str, list[SynonymGroup]] = {}
        for group in groups:
            for term in group.terms:
                self._by_term.setdefault(term, []).append(group)

    def terms(self) -> set[str]:
        return set(self._by_term)

    def expand(self, term: str) -> list[Expansion]:
        """The term itself (weight 1) and every other term of its groups (the group's weight)."""
        found = {term: Expansion(term, 1.0, None)}
        for group in self._by_term.get(term, ()):
            for other in group.terms:
                if other not in found or found[other].weight < group.weight:
                    found[other] = Expansion(other, group.weight, group)
        found[term] = Expansion(term, 1.0, None)
        return list(found.values())
