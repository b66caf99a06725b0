"""The reference data the generators need, as plain values (read from the DB or the YAML file)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True, slots=True)
class AreaRef:
    code: str
    name: str
    kind: str

    @property
    def division(self) -> str:
        """The GB/T 2260 digits for a USCC: functional zones have none and use the city's."""
        return self.code if self.code.isdigit() else "411300"

    @property
    def short_name(self) -> str:
        """The place word companies put in front of their name (西峡县 → 西峡, zones → 南阳)."""
        if self.kind == "functional_zone" or self.kind == "district":
            return "南阳"
        return self.name[:-1] if self.name[-1] in "县市区" else self.name


@dataclass(frozen=True, slots=True)
class IndustryRef:
    """A leaf industry: a sub-industry, or a top-level industry without sub-industries."""

    code: str
    name: str
    root: str
    category: str
    keywords: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Reference:
    areas: tuple[AreaRef, ...]  # the 17 counties, districts and zones (not the city itself)
    industries: tuple[IndustryRef, ...]
    tech_fields: tuple[str, ...]  # codes "01".."08"


def leaf_industries(items: list[dict[str, Any]]) -> tuple[IndustryRef, ...]:
    """Flatten the YAML's industry tree into its leaves; empty keyword lists fall back to the
    sub-industry's own name, so every leaf has at least one technology term."""
    leaves: list[IndustryRef] = []
    for item in items:
        children = item.get("children") or []
        for node in children or [item]:
            keywords = tuple(node.get("keywords") or []) or (node["name"],)
            leaves.append(
                IndustryRef(node["code"], node["name"], item["code"], item["category"], keywords)
            )
    return tuple(leaves)


def reference_from_yaml(path: Path) -> Reference:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return Reference(
        areas=tuple(AreaRef(a["code"], a["name"], a["kind"]) for a in data["areas"]),
        industries=leaf_industries(data["industries"]),
        tech_fields=tuple(f["code"] for f in data["tech_fields"]["items"]),
    )
