"""Writes for the registry: reference data loading, organizations."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction

from kechuang.registry.models import Area, IndustryChain, NamedActor, TechField

REFERENCE_FILE = settings.DATA_DIR / "reference" / "nanyang.yaml"
NAMED_FILE = settings.DATA_DIR / "reference" / "nanyang-named.yaml"


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict[str, int], model: str) -> None:
        bucket[model] = bucket.get(model, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _upsert(model: Any, report: LoadReport, lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    """Create or update one row, saving only when something differs (so a re-run writes nothing)."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model.objects.create(**lookup, **values)
        report.count(report.created, model._meta.verbose_name)
        return instance
    if any(getattr(instance, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(instance, name, value)
        instance.save()
        report.count(report.updated, model._meta.verbose_name)
    return instance


@transaction.atomic
def load_reference(path: Path = REFERENCE_FILE, named: Path | None = NAMED_FILE) -> LoadReport:
    """Load the area tree, industries and high-tech fields from the reference YAML file."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    report = LoadReport()
    city_data = data["city"]
    city = _upsert(
        Area,
        report,
        {"code": city_data["code"]},
        {
            "name": city_data["name"],
            "kind": city_data["kind"],
            "parent": None,
            "sort_order": 0,
            "source": city_data["source"],
        },
    )
    for order, item in enumerate(data["areas"], start=1):
        _upsert(
            Area,
            report,
            {"code": item["code"]},
            {
                "name": item["name"],
                "kind": item["kind"],
                "parent": city,
                "sort_order": order,
                "source": data["area_source"],
            },
        )
    for order, item in enumerate(data.get("benchmark_areas", []), start=1):
        _upsert(
            Area,
            report,
            {"code": item["code"]},
            {
                "name": item["name"],
                "kind": item["kind"],
                "parent": None,
                "sort_order": 1000 + order,
                "source": item["source"],
            },
        )
    fields = data["tech_fields"]
    for order, item in enumerate(fields["items"], start=1):
        _upsert(
            TechField,
            report,
            {"code": item["code"]},
            {"name": item["name"], "sort_order": order, "source": fields["source"]},
        )
    order = 0
    for item in data["industries"]:
        order += 1
        parent = _upsert(
            IndustryChain,
            report,
            {"code": item["code"]},
            {
                "name": item["name"],
                "parent": None,
                "category": item["category"],
                "sort_order": order,
                "source_section": item["section"],
                "keywords": item.get("keywords", []),
            },
        )
        for child in item.get("children", []):
            order += 1
            _upsert(
                IndustryChain,
                report,
                {"code": child["code"]},
                {
                    "name": child["name"],
                    "parent": parent,
                    "category": item["category"],
                    "sort_order": order,
                    "source_section": item["section"],
                    "keywords": child.get("keywords", []),
                },
            )
    if named is not None:
        _load_named(Path(named), report)
    return report


def _load_named(path: Path, report: LoadReport) -> None:
    """The bodies the plan names (names and roles only); their organization link is kept."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for order, item in enumerate(data["actors"], start=1):
        area = Area.objects.get(name=item["area"]) if item.get("area") else None
        _upsert(
            NamedActor,
            report,
            {"name": item["name"]},
            {
                "kind": item["kind"],
                "role": item["role"],
                "section": item["section"],
                "seed": item["seed"],
                "area": area,
                "sort_order": order,
            },
        )
