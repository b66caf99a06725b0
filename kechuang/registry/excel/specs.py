"""One declarative column list per registry: it drives the template, the importer, the error
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

from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.validators import MinValueValidator
from django.db import models

from kechuang.registry.excel.parsing import lookup_key
from kechuang.registry.models import (
    AnnualReport,
    Area,
    IndustryChain,
    InnovationPlatform,
    IssuerLevel,
    LegalStatus,
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
    TechField,
)
from kechuang.registry.models.figures import FIGURE_FIELDS
from kechuang.registry.models.talent import Degree

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

    @property
    def data_columns(self) -> tuple[Column, ...]:
        """Columns that import (everything but the informative ones)."""
        return tuple(c for c in self.columns if c.kind != "info")


USCC_HELP = "18 位统一社会信用代码，末位为校验位；字母大写，不含 I、O、S、V、Z。"
ORG_REF_HELP = "填写已登记单位的统一社会信用代码（须先导入“创新主体”）。"
AREA_HELP = "从下拉列表选择区域名称，也可填写区域代码，如 411303。"
INDUSTRY_HELP = "从下拉列表选择产业名称，也可填写产业代码；不属于“6+N”产业的留空。"
TECHFIELD_HELP = "从下拉列表选择《国家重点支持的高新技术领域》之一。"
EXAMPLE_USCC = "91411303000000001X"


def _org_ref(header: str, field_name: str, **extra: Any) -> Column:
    return Column(
        header,
        field_name,
        "fk_org",
        required=True,
        help_zh=ORG_REF_HELP,
        example=EXAMPLE_USCC,
        width=22,
        **extra,
    )


def _org_name(header: str, path: str) -> Column:
    return Column(header, path, "info", help_zh="仅供阅读，导入时忽略。", width=28)


ORGANIZATIONS = RegistrySpec(
    code="organizations",
    title_zh="创新主体",
    model=Organization,
    key=("uscc",),
    key_zh="以“统一社会信用代码”识别单位：库中已有该代码的单位将被更新，否则新增。",
    anchor="uscc",
    columns=(
        Column(
            "统一社会信用代码",
            "uscc",
            "uscc",
            required=True,
            help_zh=USCC_HELP,
            example=EXAMPLE_USCC,
            width=22,
        ),
        Column("单位名称", "name", "text", required=True, example="南阳某某科技有限公司", width=30),
        Column(
            "单位类型", "kind", "choice", required=True, choices=OrganizationKind, example="企业"
        ),
        Column("所在区域", "area", "fk_area", required=True, help_zh=AREA_HELP, example="卧龙区"),
        Column("所属产业", "industry", "fk_industry", help_zh=INDUSTRY_HELP, example="装备制造"),
        Column(
            "高新技术领域",
            "tech_field",
            "fk_techfield",
            help_zh=TECHFIELD_HELP,
            example="先进制造与自动化",
        ),
        Column("成立日期", "founded_on", "date", example="2015-06-18"),
        Column("企业规模", "size_class", "choice", choices=SizeClass, example="小型"),
        Column("上市企业", "is_listed", "bool", example="否"),
        Column("规上企业", "is_above_designated_size", "bool", example="是"),
        Column("地址", "address", "text", example="南阳市卧龙区某某路 1 号", width=30),
        Column("联系人", "contact_name", "text", example="张三"),
        Column(
            "联系电话",
            "contact_phone",
            "text",
            sensitive=True,
            example="13800000000",
            help_zh="导出时对无权修改该单位的用户脱敏。",
        ),
    ),
)


QUALIFICATIONS = RegistrySpec(
    code="qualifications",
    title_zh="资质认定",
    model=Qualification,
    key=("organization", "kind", "issued_on"),
    key_zh="以“单位统一社会信用代码 + 资质类型 + 认定日期”识别一条资质：三者都相同的记录将被更新。",
    anchor="organization",
    columns=(
        _org_ref("单位统一社会信用代码", "organization"),
        _org_name("单位名称（参考）", "organization__name"),
        Column(
            "资质类型",
            "kind",
            "choice",
            required=True,
            choices=QualificationKind,
            example="高新技术企业",
            width=22,
        ),
        Column("证书编号", "certificate_no", "text", example="GR202341000123"),
        Column("认定日期", "issued_on", "date", required=True, example="2023-11-22"),
        Column("有效期至", "expires_on", "date", example="2026-11-21", help_zh="长期有效的留空。"),
        Column(
            "认定层级",
            "issuer_level",
            "choice",
            required=True,
            choices=IssuerLevel,
            example="国家级",
        ),
        Column("认定机构", "issuer", "text", example="河南省科学技术厅", width=22),
        Column("备注", "note", "text", width=24),
    ),
)


def _figure_column(name: str) -> Column:
    """Annual-figure columns follow the model: header = verbose name, unit in the header."""
    model_field = AnnualReport._meta.get_field(name)
    header = str(model_field.verbose_name)
    if header.endswith("（万元）"):
        negative = not any(isinstance(v, MinValueValidator) for v in model_field.validators)
        return Column(
            header,
            name,
            "amount",
            allow_negative=negative,
            example="1234.5",
            help_zh="单位万元；可写 12345678元、1.2亿元。" + ("可为负数。" if negative else ""),
            width=18,
        )
    if isinstance(model_field, models.PositiveIntegerField):
        return Column(header, name, "int", min_value=0, example="3", width=18)
    return Column(header, name, "decimal", example="56", width=18)


ANNUAL_REPORTS = RegistrySpec(
    code="annual_reports",
    title_zh="年度数据",
    model=AnnualReport,
    key=("organization", "year"),
    key_zh="以“单位统一社会信用代码 + 年度”识别一条年度数据：已有的将被更新（导入即市级确认）。",
    anchor="organization",
    columns=(
        _org_ref("单位统一社会信用代码", "organization"),
        _org_name("单位名称（参考）", "organization__name"),
        Column(
            "年度", "year", "int", required=True, min_value=2000, max_value=2100, example="2023"
        ),
        *(_figure_column(name) for name in FIGURE_FIELDS),
    ),
)

PLATFORMS = RegistrySpec(
    code="platforms",
    title_zh="创新平台",
    model=InnovationPlatform,
    key=("name", "kind"),
    key_zh="以“平台名称 + 平台类型”识别一个平台：两者都相同的记录将被更新。",
    anchor="name",
    columns=(
        Column(
            "平台名称",
            "name",
            "text",
            required=True,
            example="南阳市某某工程技术研究中心",
            width=32,
        ),
        Column(
            "平台类型",
            "kind",
            "choice",
            required=True,
            choices=PlatformKind,
            example="工程技术研究中心",
            width=20,
        ),
        Column("级别", "level", "choice", required=True, choices=PlatformLevel, example="市级"),
        _org_ref("依托单位统一社会信用代码", "host"),
        _org_name("依托单位名称（参考）", "host__name"),
        Column(
            "共建单位统一社会信用代码",
            "co_builders",
            "list",
            item_kind="fk_org",
            help_zh="多个以分号（；）分隔。",
            example="",
            width=24,
        ),
        Column("所在区域", "area", "fk_area", required=True, help_zh=AREA_HELP, example="卧龙区"),
        Column("所属产业", "industry", "fk_industry", help_zh=INDUSTRY_HELP),
        Column("技术领域", "tech_field", "fk_techfield", help_zh=TECHFIELD_HELP),
        Column("批准日期", "approved_on", "date", example="2021-12-30"),
        Column("批准文号", "approval_document", "text", example="宛科〔2021〕88号"),
        Column(
            "状态",
            "status",
            "choice",
            choices=PlatformStatus,
            example="运行中",
            help_zh="留空表示“运行中”。",
        ),
        Column("最近评估结果", "latest_evaluation", "text", example="优秀"),
        Column(
            "最近评估年度",
            "latest_evaluation_year",
            "int",
            min_value=2000,
            max_value=2100,
            example="2023",
            help_zh="填写评估结果时必填。",
        ),
        Column("备注", "note", "text", width=24),
    ),
)

TALENTS = RegistrySpec(
    code="talents",
    title_zh="科技人才",
    model=Talent,
    key=("organization", "name", "phone_last4"),
    key_zh=(
        "以“姓名 + 工作单位统一社会信用代码 + 手机号后 4 位”识别一位人才"
        "（无手机号时后 4 位视为空）："
        "三者都相同的记录将被更新。"
    ),
    anchor="organization",
    columns=(
        Column("姓名", "name", "text", required=True, example="李四"),
        _org_ref("工作单位统一社会信用代码", "organization"),
        _org_name("工作单位名称（参考）", "organization__name"),
        Column("职称/职务", "title", "text", example="正高级工程师"),
        Column("学位", "degree", "choice", choices=Degree, example="博士"),
        Column(
            "技术领域",
            "tech_fields",
            "list",
            item_kind="fk_techfield",
            help_zh="高新技术领域名称，多个以分号（；）分隔。",
            example="新材料；电子信息",
            width=24,
        ),
        Column("专业特长", "expertise", "text", multiline=True, width=30),
        Column("荣誉与人才计划", "honours", "text", width=24),
        Column("科技特派员", "is_st_commissioner", "bool", example="否"),
        Column(
            "身份证号",
            "id_number",
            "text",
            sensitive=True,
            width=22,
            help_zh="导出时对无权修改该人员的用户脱敏。",
        ),
        Column(
            "手机号",
            "phone",
            "text",
            sensitive=True,
            example="13800000000",
            help_zh="导出时对无权修改该人员的用户脱敏；后 4 位参与识别同名人员。",
        ),
    ),
)

TEAMS = RegistrySpec(
    code="teams",
    title_zh="人才团队",
    model=Team,
    key=("name", "organization"),
    key_zh="以“团队名称 + 依托单位统一社会信用代码”识别一个团队：两者都相同的记录将被更新。",
    anchor="organization",
    columns=(
        Column("团队名称", "name", "text", required=True, example="某某材料创新团队", width=28),
        _org_ref("依托单位统一社会信用代码", "organization"),
        _org_name("依托单位名称（参考）", "organization__name"),
        Column(
            "带头人姓名",
            "leader",
            "fk_talent",
            example="李四",
            help_zh="须为该依托单位已登记的科技人才；同名时请先在人才库中区分。",
        ),
        Column(
            "引育计划",
            "programme",
            "choice",
            required=True,
            choices=TeamProgramme,
            example="产业科技创新人才团队（培育）",
            width=30,
        ),
        Column("入选年度", "approved_year", "int", min_value=2000, max_value=2100, example="2022"),
        Column("研究方向", "research_direction", "text", width=28),
    ),
)

PATENTS = RegistrySpec(
    code="patents",
    title_zh="专利",
    model=Patent,
    key=("number",),
    key_zh="以“专利号”识别一件专利：库中已有该专利号的记录将被更新。",
    anchor="number",
    columns=(
        Column("专利号", "number", "text", required=True, example="ZL202310123456.7", width=22),
        Column("专利类型", "kind", "choice", required=True, choices=PatentKind, example="发明专利"),
        Column("名称", "title", "text", required=True, example="一种防爆电机的散热结构", width=32),
        Column("摘要", "abstract", "text", multiline=True, width=40),
        Column("IPC 分类号", "ipc_codes", "text", help_zh="多个以分号分隔。", example="H02K5/20"),
        Column("申请人/专利权人", "applicants", "text", width=28),
        _org_ref("本市权利人统一社会信用代码", "organization"),
        _org_name("本市权利人名称（参考）", "organization__name"),
        Column("申请日", "application_date", "date", required=True, example="2023-05-01"),
        Column(
            "授权公告日",
            "grant_date",
            "date",
            example="2024-08-16",
            help_zh="法律状态为“有效”时必填。",
        ),
        Column(
            "法律状态", "legal_status", "choice", required=True, choices=LegalStatus, example="有效"
        ),
        *(
            Column(
                str(Patent._meta.get_field(name).verbose_name),
                name,
                "bool",
                example="否",
                help_zh="仅适用于发明专利。",
                width=20,
            )
            for name in ("hv_strategic_industry", "hv_overseas_family", "hv_pledged", "hv_award")
        ),
    ),
)

REGISTRIES: dict[str, RegistrySpec] = {
    spec.code: spec
    for spec in (
        ORGANIZATIONS,
        QUALIFICATIONS,
        ANNUAL_REPORTS,
        PLATFORMS,
        TALENTS,
        TEAMS,
        PATENTS,
    )
}


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
