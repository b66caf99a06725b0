"""The spreadsheet columns of each registry, derived from its declaration
(`kechuang/registry/declarations.py`): they drive the template, the importer, the error
report and the export, so that what is exported re-imports unchanged.

Natural keys (how a row finds the record it updates):
- organizations: 统一社会信用代码;
- qualifications: organization USCC + 资质类型 + 认定日期;
- annual reports: organization USCC + 年度;
- platforms: 平台名称 + 平台类型;
- talents: 姓名 + 工作单位 USCC + the last 4 digits of 手机号 (empty when there is no phone).
  A talent has no unique number we may rely on (the ID number is optional and masked in
  exports); name + organization alone confuses namesakes, and the last 4 phone digits survive
  masking, so an exported sheet still re-imports onto the right people;
- teams: 团队名称 + 依托单位 USCC;
- patents: 专利号.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any, Literal

from django.db import models

from kechuang.core.imports.cells import lookup_key
from kechuang.core.masking import SENSITIVE_FIELDS
from kechuang.registry import declarations
from kechuang.registry.declarations import EXAMPLE_USCC, F, Registry, python_type
from kechuang.registry.models import Area, IndustryChain, Organization, Talent, TechField

Kind = Literal[
    "text",
    "uscc",
    "int",
    "decimal",
    "amount",
    "date",
    "bool",
    "choice",
    "fk_org",
    "fk_area",
    "fk_industry",
    "fk_techfield",
    "fk_talent",
    "list",
    "info",
]
ItemKind = Literal["fk_org", "fk_techfield"]


@dataclass(frozen=True)
class Column:
    """One spreadsheet column and the model field it fills.

    kind "info" columns are written on export for the reader (e.g. the organization's name next
    to its USCC) and ignored on import; `field` is then an ORM path read from the object.
    """

    header_zh: str
    field: str
    kind: Kind
    required: bool = False
    choices: type[models.TextChoices] | None = None
    help_zh: str = ""
    sensitive: bool = False
    example: str = ""
    allow_negative: bool = False
    multiline: bool = False
    item_kind: ItemKind | None = None
    min_value: int | None = None
    max_value: int | None = None
    width: int = 16


@dataclass(frozen=True)
class RegistrySpec:
    code: str
    title_zh: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # field names; "phone_last4" is derived from the phone
    key_zh: str
    anchor: str  # the key field used to fetch existing rows in bulk (field__in=...)

    @property
    def sheet_title(self) -> str:
        return self.title_zh

    def column(self, field_name: str) -> Column | None:
        return next((c for c in self.columns if c.field == field_name), None)

    @cached_property
    def data_columns(self) -> tuple[Column, ...]:
        """Columns that import (everything but the informative ones); worked out once (an
        import reads it for every row)."""
        return tuple(c for c in self.columns if c.kind != "info")


ORG_REF_HELP = "填写已登记单位的统一社会信用代码（须先导入“创新主体”）。"
AREA_HELP = "从下拉列表选择区域名称，也可填写区域代码，如 411303。"
INDUSTRY_HELP = "从下拉列表选择产业名称，也可填写产业代码；不属于“6+N”产业的留空。"
TECHFIELD_HELP = "从下拉列表选择《国家重点支持的高新技术领域》之一。"
READ_ONLY_HELP = "仅供阅读，导入时忽略。"

# The column kind of a reference, by the model it points to.
REFERENCE_KINDS: dict[type[models.Model], Kind] = {
    Organization: "fk_org",
    Area: "fk_area",
    IndustryChain: "fk_industry",
    TechField: "fk_techfield",
    Talent: "fk_talent",
}
REFERENCE_HELP = {"fk_org": ORG_REF_HELP, "fk_area": AREA_HELP, "fk_industry": INDUSTRY_HELP}
REFERENCE_HELP["fk_techfield"] = TECHFIELD_HELP
SCALAR_KINDS: dict[Any, Kind] = {bool: "bool", dt.date: "date", Decimal: "decimal", int: "int"}


def _kind(declared: F, model_field: Any) -> Kind:
    if declared.kind:
        return declared.kind  # type: ignore[return-value]
    if model_field.many_to_many:
        return "list"
    if model_field.is_relation:
        return REFERENCE_KINDS[model_field.related_model]
    if declared.choices is not None:
        return "choice"
    return SCALAR_KINDS.get(python_type(model_field), "text")


def excel_columns(registry: Registry, declared: F) -> tuple[Column, ...]:
    """The spreadsheet column(s) of one declared field: a reference to an organization is its
    USCC, followed by the organization's name for the reader."""
    model_field = registry.model_field(declared.name)
    label = registry.label(declared.name)
    kind = _kind(declared, model_field)
    item_kind = REFERENCE_KINDS[model_field.related_model] if kind == "list" else None
    header = label
    if "fk_org" in (kind, item_kind):
        header = f"{label}统一社会信用代码"
    elif kind == "fk_talent":
        header = f"{label}姓名"
    example = declared.example or (EXAMPLE_USCC if kind == "fk_org" else "")
    column = Column(
        header,
        declared.name,
        kind,
        required=not (model_field.blank or model_field.has_default()),
        choices=declared.choices,
        help_zh=declared.help or REFERENCE_HELP.get(kind, ""),
        sensitive=declared.name in SENSITIVE_FIELDS,
        example=example,
        allow_negative=declared.allow_negative,
        multiline=isinstance(model_field, models.TextField),
        item_kind=item_kind,  # type: ignore[arg-type]
        min_value=declared.min_value,
        max_value=declared.max_value,
        width=22 if kind == "fk_org" else declared.width,
    )
    if kind != "fk_org":
        return (column,)
    name = Column(
        f"{label}名称（参考）", f"{declared.name}__name", "info", help_zh=READ_ONLY_HELP, width=28
    )
    return column, name


def excel_spec(registry: Registry) -> RegistrySpec:
    columns = [c for f in registry.fields if f.excel for c in excel_columns(registry, f)]
    return RegistrySpec(
        code=registry.code,
        title_zh=registry.title,
        model=registry.model,
        columns=tuple(columns),
        key=registry.key,
        key_zh=registry.key_zh,
        anchor=registry.anchor,
    )


_SPECS = tuple(excel_spec(registry) for registry in declarations.EXCEL_REGISTRIES)
ORGANIZATIONS, QUALIFICATIONS, ANNUAL_REPORTS, PLATFORMS, TALENTS, TEAMS, PATENTS = _SPECS
REGISTRIES: dict[str, RegistrySpec] = {spec.code: spec for spec in _SPECS}


class UnknownRegistry(KeyError):
    pass


def get_spec(code: str) -> RegistrySpec:
    try:
        return REGISTRIES[code]
    except KeyError:
        known = "、".join(REGISTRIES)
        raise UnknownRegistry(f"未知的登记库“{code}”，可选：{known}。") from None


@dataclass
class References:
    """The reference rows coded columns point to, indexed by every form a user may type.

    Areas: name, code, or the name prefixed with the city ("南阳市卧龙区"). Industries: code,
    name (when unique), "parent / name". High-tech fields: name or code.
    """

    areas: list[Area]
    industries: list[IndustryChain]
    techfields: list[TechField]
    area_index: dict[str, Area] = field(default_factory=dict)
    industry_index: dict[str, IndustryChain] = field(default_factory=dict)
    techfield_index: dict[str, TechField] = field(default_factory=dict)
    ambiguous_industry_names: set[str] = field(default_factory=set)

    @classmethod
    def load(cls) -> References:
        refs = cls(
            areas=list(Area.objects.order_by("sort_order", "code")),
            industries=list(IndustryChain.objects.select_related("parent")),
            techfields=list(TechField.objects.order_by("sort_order")),
        )
        city = next((a for a in refs.areas if a.parent_id is None), None)
        for area in refs.areas:
            refs.area_index[lookup_key(area.code)] = area
            refs.area_index[lookup_key(area.name)] = area
            if city is not None and area is not city:
                refs.area_index.setdefault(lookup_key(city.name + area.name), area)
        names = [industry.name for industry in refs.industries]
        refs.ambiguous_industry_names = {n for n in names if names.count(n) > 1}
        for industry in refs.industries:
            refs.industry_index[lookup_key(industry.code)] = industry
            refs.industry_index[lookup_key(str(industry))] = industry
            if industry.name not in refs.ambiguous_industry_names:
                refs.industry_index[lookup_key(industry.name)] = industry
        for techfield in refs.techfields:
            refs.techfield_index[lookup_key(techfield.code)] = techfield
            refs.techfield_index[lookup_key(techfield.name)] = techfield
        return refs

    def area_labels(self) -> list[str]:
        return [area.name for area in self.areas]

    def industry_label(self, industry: IndustryChain) -> str:
        return industry.code if industry.name in self.ambiguous_industry_names else industry.name

    def industry_labels(self) -> list[str]:
        return [self.industry_label(industry) for industry in self.industries]

    def techfield_labels(self) -> list[str]:
        return [techfield.name for techfield in self.techfields]
