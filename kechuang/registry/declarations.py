"""Every registry's fields, declared once.

A `Registry` lists its model's fields (`F`) in the order of the form, the spreadsheet and the API;
everything else is derived from it and from the model field itself:

- labels: the model field's `verbose_name` (the Excel header of an organization reference is
  "<verbose name>统一社会信用代码", followed by a read-only "<verbose name>名称（参考）" column);
- the list page's columns (`list_columns`, by field name, with an optional short label) and the
  detail page's fields (every declared field but the sensitive ones, then `detail_extra`);
- the Excel column (`kechuang/registry/excel/specs.py`): its kind, required-ness, choices,
  sensitivity and help follow the model field; `example`, `help`, `width` and ranges are here;
- the API's payload and output schemas (`kechuang/registry/api/schemas.py`): types, defaults,
  lengths and references follow the model field; `api` holds what the payload adds (min_length,
  a description, a narrower range);
- the demo writer (`kechuang/registry/synthetic/writer.py`) writes every concrete model field.

Adding a field to a registry is one `F(...)` line here plus the model field and its migration.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from kechuang.core.masking import SENSITIVE_FIELDS
from kechuang.registry.models import (
    AnnualReport,
    IndustrySection,
    InnovationPlatform,
    IssuerLevel,
    LegalStatus,
    NamedActor,
    NamedActorKind,
    Organization,
    OrganizationKind,
    Patent,
    PatentKind,
    PlatformKind,
    PlatformLevel,
    PlatformStatus,
    Qualification,
    QualificationKind,
    SizeClass,
    Talent,
    Team,
    TeamProgramme,
)
from kechuang.registry.models.figures import FIGURE_FIELDS
from kechuang.registry.models.talent import Degree


@dataclass(frozen=True)
class F:
    """One declared field of a registry model."""

    name: str
    choices: type[models.TextChoices] | None = None
    kind: str = ""  # the Excel kind when the model field does not tell it ("uscc", "amount")
    excel: bool = True  # False: API and pages only (e.g. a team's members)
    example: str = ""
    help: str = ""
    width: int = 16
    min_value: int | None = None  # spreadsheet range of whole numbers
    max_value: int | None = None
    allow_negative: bool = False
    api: dict[str, Any] = field(default_factory=dict)  # payload Field(...) keywords added/replaced
    api_name: str = ""  # payload/output name when it is not the field's (leader → leader_id)
    display: bool = False  # the output also carries `<name>_display` (the choice's label)
    out: tuple[str, ...] | None = None  # related attributes the output shows (default by model)


@dataclass(frozen=True)
class Computed:
    """An output-only value computed from the object (e.g. validity today)."""

    name: str
    type: Any
    resolve: Callable[[Any], Any]


@dataclass(frozen=True)
class Registry:
    code: str
    model: type[models.Model]
    fields: tuple[F, ...]
    list_columns: tuple[str | tuple[str, str], ...]  # field name, or (name, short label)
    detail_extra: tuple[str, ...] = ()
    out_extra: tuple[str, ...] = ()  # further model fields in the output (is_demo, timestamps)
    computed: tuple[Computed, ...] = ()
    title_zh: str = ""  # the spreadsheet's title; the model's verbose name by default
    key: tuple[str, ...] = ()  # natural key (Excel import); "phone_last4" derives from phone
    key_zh: str = ""
    anchor: str = ""

    def model_field(self, name: str) -> Any:
        return self.model._meta.get_field(name)

    def label(self, name: str) -> str:
        return str(self.model_field(name).verbose_name)

    @property
    def title(self) -> str:
        return self.title_zh or str(self.model._meta.verbose_name)

    @property
    def detail_fields(self) -> tuple[str, ...]:
        names = tuple(f.name for f in self.fields if f.name not in SENSITIVE_FIELDS)
        return names + self.detail_extra

    def list_column_specs(self) -> list[tuple[str, str]]:
        """(label, accessor) of each list column: choices show their label, references the
        referenced row's name, sensitive values their masked form."""
        specs = []
        for entry in self.list_columns:
            name, label = entry if isinstance(entry, tuple) else (entry, self.label(entry))
            specs.append((label, accessor(self.model_field(name))))
        return specs


def accessor(model_field: Any) -> str:
    name = model_field.name
    if model_field.choices:
        return f"get_{name}_display"
    if model_field.is_relation:
        return f"{name}.name"
    if name in SENSITIVE_FIELDS:
        return f"masked_{name}"
    return name


def writable_columns(model: type[models.Model]) -> tuple[str, ...]:
    """The concrete columns a bulk writer fills (timestamps and the key are its own)."""
    skip = {"id", "created_at", "updated_at"}
    return tuple(f.name for f in model._meta.concrete_fields if f.name not in skip)


# --- shared texts -----------------------------------------------------------------------------

USCC_HELP = "18 位统一社会信用代码，末位为校验位；字母大写，不含 I、O、S、V、Z。"
EXAMPLE_USCC = "91411303MA45B8XK0R"  # passes the check digit (a test says so)
YEAR_RANGE = {"min_value": 2000, "max_value": 2100}
API_YEAR_RANGE = {"ge": 1990, "le": 2100}


def _figure(name: str) -> F:
    """Annual-figure fields follow the model: unit in the verbose name, sign from validators."""
    model_field = AnnualReport._meta.get_field(name)
    if str(model_field.verbose_name).endswith("（万元）"):
        negative = not any(isinstance(v, MinValueValidator) for v in model_field.validators)
        return F(
            name,
            kind="amount",
            allow_negative=negative,
            example="1234.5",
            help="单位万元；可写 12345678元、1.2亿元。" + ("可为负数。" if negative else ""),
            width=18,
        )
    if isinstance(model_field, models.PositiveIntegerField):
        return F(name, min_value=0, example="3", width=18)
    return F(name, example="56", width=18)


# --- the registries ---------------------------------------------------------------------------

ARCHIVE = ("archived", "archived_on", "archive_reason")  # 注销/停用 (core.models.Archivable)

ORGANIZATIONS = Registry(
    code="organizations",
    model=Organization,
    fields=(
        F(
            "uscc",
            kind="uscc",
            help=USCC_HELP,
            example=EXAMPLE_USCC,
            width=22,
            api={"max_length": 30, "description": "统一社会信用代码（18 位，含校验位）"},
        ),
        F("name", example="南阳某某科技有限公司", width=30, api={"min_length": 2}),
        F("kind", choices=OrganizationKind, example="企业", display=True),
        F("area", example="卧龙区"),
        F("industry", example="装备制造"),
        F("tech_field", example="先进制造与自动化"),
        F(
            "industry_section",
            choices=IndustrySection,
            example="C 制造业",
            width=24,
            display=True,
            help="GB/T 4754-2017 门类（可只写字母，如 C）；B、C、D 为工业。填了大类可留空。",
        ),
        F(
            "industry_division",
            example="34",
            help="GB/T 4754-2017 大类两位代码（如 34 通用设备制造业），须属于所填门类；可留空。",
            api={"max_length": 2, "description": "GB/T 4754-2017 大类两位代码，如 34"},
        ),
        F("founded_on", example="2015-06-18"),
        F("size_class", choices=SizeClass, example="小型"),
        F("is_listed", example="否"),
        F("is_above_designated_size", example="是"),
        F("address", example="南阳市卧龙区某某路 1 号", width=30),
        F("contact_name", example="张三"),
        F("contact_phone", example="13800000000", help="导出时对无权修改该单位的用户脱敏。"),
    ),
    list_columns=(
        "name",
        "uscc",
        ("kind", "类型"),
        ("area", "区域"),
        ("industry", "产业"),
        ("is_above_designated_size", "规上"),
    ),
    detail_extra=(*ARCHIVE, "created_at", "updated_at"),
    out_extra=("is_demo", "created_at", "updated_at", *ARCHIVE),
    key=("uscc",),
    key_zh="以“统一社会信用代码”识别单位：库中已有该代码的单位将被更新，否则新增。",
    anchor="uscc",
)

QUALIFICATIONS = Registry(
    code="qualifications",
    model=Qualification,
    fields=(
        F("organization"),
        F("kind", choices=QualificationKind, example="高新技术企业", width=22, display=True),
        F("certificate_no", example="GR202341000123"),
        F("issued_on", example="2023-11-22"),
        F("expires_on", example="2026-11-21", help="长期有效的留空。"),
        F("issuer_level", choices=IssuerLevel, example="国家级"),
        F("issuer", example="河南省科学技术厅", width=22),
        F("note", width=24),
    ),
    list_columns=(
        "organization",
        ("kind", "资质"),
        "certificate_no",
        "issued_on",
        "expires_on",
        "issuer_level",
        ("verification", "核验"),
    ),
    # The state is set by the services (entry, claim, verify, reject, official list), never by a
    # payload or a spreadsheet column: shown, not declared as a field.
    detail_extra=("verification", "source", "verified_by", "verified_at", "rejection_reason"),
    out_extra=("verification", "source", "verified_at", "rejection_reason"),
    computed=(
        Computed("valid_today", bool, lambda obj: obj.is_valid_on(timezone.localdate())),
        Computed("verification_display", str, lambda obj: obj.get_verification_display()),
        Computed("source_display", str, lambda obj: obj.get_source_display()),
        Computed(
            "verified_by",
            str | None,
            lambda obj: obj.verified_by.username if obj.verified_by_id else None,
        ),
        Computed("has_scan", bool, lambda obj: bool(obj.scan)),
    ),
    key=("organization", "kind", "issued_on"),
    key_zh="以“单位统一社会信用代码 + 资质类型 + 认定日期”识别一条资质：三者都相同的记录将被更新。",
    anchor="organization",
)

ANNUAL_REPORTS = Registry(
    code="annual_reports",
    model=AnnualReport,
    fields=(
        F("organization"),
        F("year", example="2023", **YEAR_RANGE),
        *(_figure(name) for name in FIGURE_FIELDS),
    ),
    list_columns=(
        ("organization", "单位"),
        "year",
        "sales_revenue",
        ("rd_expense", "研发费用（万元）"),
        ("employees_avg", "职工"),
        ("st_staff_avg", "科技人员"),
        "confirmed_at",
    ),
    detail_extra=("confirmed_at",),
    out_extra=("confirmed_at",),
    key=("organization", "year"),
    key_zh="以“单位统一社会信用代码 + 年度”识别一条年度数据：已有的将被更新（导入即市级确认）。",
    anchor="organization",
)

PLATFORMS = Registry(
    code="platforms",
    model=InnovationPlatform,
    fields=(
        F("name", example="南阳市某某工程技术研究中心", width=32, api={"min_length": 2}),
        F("kind", choices=PlatformKind, example="工程技术研究中心", width=20, display=True),
        F("level", choices=PlatformLevel, example="市级", display=True),
        F("host"),
        F("co_builders", help="多个以分号（；）分隔。", width=24),
        F(
            "area",
            example="卧龙区",
            api={"default": None, "description": "省略时取依托单位所在区域"},
        ),
        F("industry"),
        F("tech_field"),
        F("approved_on", example="2021-12-30"),
        F("approval_document", example="宛科〔2021〕88号"),
        F(
            "status",
            choices=PlatformStatus,
            example="运行中",
            help="留空表示“运行中”。已有状态变更记录的平台，状态、级别、批准日期由记录决定。",
        ),
        F("latest_evaluation", example="优秀"),
        F(
            "latest_evaluation_year",
            example="2023",
            help="填写评估结果时必填。",
            api=API_YEAR_RANGE,
            **YEAR_RANGE,
        ),
        F("note", width=24),
    ),
    list_columns=(
        "name",
        ("kind", "类型"),
        "level",
        "host",
        ("area", "区域"),
        "status",
        "approved_on",
    ),
    detail_extra=ARCHIVE,
    out_extra=("is_demo", *ARCHIVE),
    key=("name", "kind"),
    key_zh="以“平台名称 + 平台类型”识别一个平台：两者都相同的记录将被更新。",
    anchor="name",
)

TALENTS = Registry(
    code="talents",
    model=Talent,
    fields=(
        F("name", example="李四", api={"min_length": 1}),
        F("organization"),
        F("title", example="正高级工程师"),
        F("degree", choices=Degree, example="博士"),
        F(
            "tech_fields",
            help="高新技术领域名称，多个以分号（；）分隔。",
            example="新材料；电子信息",
            width=24,
        ),
        F("expertise", width=30, api={"max_length": 2000}),
        F("honours", width=24),
        F("is_st_commissioner", example="否"),
        F("id_number", width=22, help="导出时对无权修改该人员的用户脱敏。"),
        F(
            "phone",
            example="13800000000",
            help="导出时对无权修改该人员的用户脱敏；后 4 位参与识别同名人员。",
        ),
    ),
    list_columns=(
        "name",
        "organization",
        "title",
        "degree",
        "is_st_commissioner",
        "phone",
    ),
    detail_extra=ARCHIVE,
    out_extra=ARCHIVE,
    key=("organization", "name", "phone_last4"),
    key_zh=(
        "以“姓名 + 工作单位统一社会信用代码 + 手机号后 4 位”识别一位人才"
        "（无手机号时后 4 位视为空）："
        "三者都相同的记录将被更新。"
    ),
    anchor="organization",
)

TEAMS = Registry(
    code="teams",
    model=Team,
    fields=(
        F("name", example="某某材料创新团队", width=28, api={"min_length": 2}),
        F("organization"),
        F(
            "leader",
            example="李四",
            help="须为该依托单位已登记的科技人才；同名时请先在人才库中区分。",
            api_name="leader_id",
        ),
        F("members", excel=False, api_name="member_ids"),
        F(
            "programme",
            choices=TeamProgramme,
            example="产业科技创新人才团队（培育）",
            width=30,
            display=True,
        ),
        F("approved_year", example="2022", api=API_YEAR_RANGE, **YEAR_RANGE),
        F("research_direction", width=28),
    ),
    list_columns=(
        "name",
        "organization",
        "leader",
        "programme",
        "approved_year",
    ),
    key=("name", "organization"),
    key_zh="以“团队名称 + 依托单位统一社会信用代码”识别一个团队：两者都相同的记录将被更新。",
    anchor="organization",
)

_HIGH_VALUE = {"example": "否", "help": "仅适用于发明专利。", "width": 20}

PATENTS = Registry(
    code="patents",
    model=Patent,
    fields=(
        F("number", example="ZL202310123456.7", width=22, api={"min_length": 5}),
        F("kind", choices=PatentKind, example="发明专利", display=True),
        F("title", example="一种防爆电机的散热结构", width=32, api={"min_length": 2}),
        F("abstract", width=40, api={"max_length": 5000}),
        F("ipc_codes", help="多个以分号分隔。", example="H02K5/20"),
        F("applicants", width=28),
        F("organization"),
        F("application_date", example="2023-05-01"),
        F("grant_date", example="2024-08-16", help="法律状态为“有效”时必填。"),
        F("legal_status", choices=LegalStatus, example="有效"),
        F("hv_strategic_industry", **_HIGH_VALUE),
        F("hv_overseas_family", **_HIGH_VALUE),
        F("hv_pledged", **_HIGH_VALUE),
        F("hv_award", **_HIGH_VALUE),
    ),
    list_columns=(
        ("number", "专利号"),
        "title",
        ("kind", "类型"),
        ("organization", "权利人"),
        "application_date",
        "legal_status",
    ),
    computed=(
        Computed(
            "high_value_reasons_today",
            list[str],
            lambda obj: obj.high_value_reasons(timezone.localdate()),
        ),
    ),
    key=("number",),
    key_zh="以“专利号”识别一件专利：库中已有该专利号的记录将被更新。",
    anchor="number",
)

NAMED_ACTORS = Registry(
    code="named",
    model=NamedActor,
    fields=(
        F("name"),
        F("kind", choices=NamedActorKind),
        F("role"),
        F("section"),
        F("seed"),
        F("area", out=("name",)),
        F("organization", out=("uscc",)),
    ),
    list_columns=(
        "name",
        "kind",
        "role",
        "section",
        "organization",
    ),
)

# The registries with an Excel round-trip, in the order of the menus.
EXCEL_REGISTRIES = (
    ORGANIZATIONS,
    QUALIFICATIONS,
    ANNUAL_REPORTS,
    PLATFORMS,
    TALENTS,
    TEAMS,
    PATENTS,
)

# Python types of model fields, for schemas (most specific first: DateTimeField is a DateField).
PYTHON_TYPES: tuple[tuple[type[models.Field], Any], ...] = (
    (models.BooleanField, bool),
    (models.DateTimeField, dt.datetime),
    (models.DateField, dt.date),
    (models.DecimalField, Decimal),
    (models.IntegerField, int),
)


def python_type(model_field: Any) -> Any:
    return next((t for cls, t in PYTHON_TYPES if isinstance(model_field, cls)), str)
