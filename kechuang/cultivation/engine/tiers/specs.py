"""The parsed rules: a tier rule set (:class:`TierRuleSpec`) and the reserve pool policy
(:class:`ReservePolicySpec` with its :class:`ReserveTierSpec` tiers). Named ``*Spec`` so they
are not mistaken for the Django models that store them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from .nodes import Node, leaves
from .wording import unset_lines


@dataclass(frozen=True)
class TierRuleSpec:
    """A qualification tier (创新龙头, 瞪羚, 专精特新 …) as a configurable set of criteria."""

    code: str
    name: str
    issuer_level: str
    qualification_kind: str | None
    effective_from: date
    effective_to: date | None
    source: str
    status: str
    note: str
    criteria: tuple[Node, ...]

    def applies_on(self, day: date) -> bool:
        """True when ``day`` lies within effective_from … effective_to (both included)."""
        if day < self.effective_from:
            return False
        return self.effective_to is None or day <= self.effective_to

    @property
    def needs_confirmation(self) -> bool:
        """Status needs_confirmation, or some threshold is null or tagged U."""
        if self.status == "needs_confirmation":
            return True
        return any(leaf.unset for _, leaf in leaves(self.criteria))

    def unset_thresholds(self) -> list[str]:
        """Chinese descriptions of the criteria awaiting the bureau (null or [U] thresholds)."""
        return unset_lines(self.criteria)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "issuer_level": self.issuer_level,
            "qualification_kind": self.qualification_kind,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "source": self.source,
            "status": self.status,
            "note": self.note,
            "criteria": [node.to_dict() for node in self.criteria],
        }


@dataclass(frozen=True)
class ReserveTierSpec:
    """One tier of the reserve pool (种子型 / 初创型 / 成长型 / 成熟型)."""

    code: str
    label: str
    criteria: tuple[Node, ...]
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "description": self.description,
            "criteria": [node.to_dict() for node in self.criteria],
        }


@dataclass(frozen=True)
class ReservePolicySpec:
    """The HNTE reserve pool (高企后备库) policy: exclusions, then tiers in order (first match)."""

    version: str
    effective_from: date
    source: str
    note: str
    exclude: tuple[Node, ...]
    tiers: tuple[ReserveTierSpec, ...]
    status: str = "needs_confirmation"

    @property
    def tier_codes(self) -> list[str]:
        """Tier codes in order; :func:`assign_reserve_tiers` returns indices into this list."""
        return [tier.code for tier in self.tiers]

    def applies_on(self, day: date) -> bool:
        return day >= self.effective_from

    @property
    def needs_confirmation(self) -> bool:
        if self.status == "needs_confirmation":
            return True
        nodes = [*self.exclude, *(node for tier in self.tiers for node in tier.criteria)]
        return any(leaf.unset for _, leaf in leaves(nodes))

    def unset_thresholds(self) -> list[str]:
        lines = unset_lines(self.exclude, "排除条件 ")
        for tier in self.tiers:
            lines.extend(unset_lines(tier.criteria, f"{tier.label} "))
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "effective_from": self.effective_from.isoformat(),
            "source": self.source,
            "note": self.note,
            "status": self.status,
            "exclude": [node.to_dict() for node in self.exclude],
            "tiers": [tier.to_dict() for tier in self.tiers],
        }
