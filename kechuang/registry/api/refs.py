"""Turning the references a client sends (codes, names, USCCs) into rows, with field errors."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from kechuang.registry.models import Area, IndustryChain, Organization, Talent, TechField


def _one(model: Any, value: Any, lookup: Q, field: str, label: str) -> Any:
    if value in (None, ""):
        return None
    found = model.objects.filter(lookup).first()
    if found is None:
        raise ValidationError({field: f"未知的{label}：{value}"})
    return found


def area(value: str | None, field: str = "area") -> Area | None:
    return _one(Area, value, Q(code=value) | Q(name=value), field, "区域")


def industry(value: str | None, field: str = "industry") -> IndustryChain | None:
    return _one(IndustryChain, value, Q(code=value) | Q(name=value), field, "产业")


def tech_field(value: str | None, field: str = "tech_field") -> TechField | None:
    return _one(TechField, value, Q(code=value) | Q(name=value), field, "高新技术领域")


def organization(value: str | None, field: str = "organization") -> Organization | None:
    return _one(
        Organization,
        value,
        Q(uscc=str(value or "").strip().upper()),
        field,
        "单位（统一社会信用代码）",
    )


def organizations(values: list[str], field: str) -> list[Organization]:
    return [organization(v, field) for v in values if v]


def tech_fields(values: list[str], field: str) -> list[TechField]:
    return [tech_field(v, field) for v in values if v]


def talents(ids: list[int], field: str) -> list[Talent]:
    found = {t.pk: t for t in Talent.objects.filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({field: f"未知的人才编号：{'、'.join(map(str, missing))}"})
    return [found[i] for i in ids]
