"""The case format: one enterprise's figures, as input to every ruleset.

Amounts are in 万元, headcounts in persons, ``years`` oldest first, dates ``YYYY-MM-DD``.
:func:`.case_loader.load_case` validates a plain dict (e.g. parsed JSON) and raises
:class:`CaseError` with Chinese messages keyed by field path; it never lets a bare
KeyError/TypeError escape.

Fields (required ones marked *)::

    as_of*                    评估日期（视为拟申请日期）
    registered_on*            注册成立日期
    years*                    会计年度数据列表，连续、由远及近；每年：
        year*                 年度（须早于评估年度、不早于成立年度）
        sales_revenue*        销售收入（主营业务收入+其他业务收入）
        rd_expense*           研发费用总额
        total_revenue         总收入（收入总额−不征税收入）— 高企条件（六）需要
        hightech_revenue      高新技术产品（服务）收入，≤ 总收入 — 高企条件（六）需要
        rd_expense_domestic   境内研发费用，≤ 研发费用 — 高企条件（五）需要
        cost_expense_total    成本费用支出总额 — 科小研发投入方案（2）使用
        net_assets_end        年末净资产（可为负数）— 高企成长性需要
        total_assets_end      年末资产总额 — 科小规模条件需要
        employees_avg         职工总数（全年月平均数）
        st_staff_avg          科技人员数（全年月平均数），≤ 职工总数
        employees_monthly     可代替 employees_avg：[[月初数, 月末数], …] 1–12 个月
        st_staff_monthly      可代替 st_staff_avg，格式同上
    tech_field                技术领域：八大领域之一，或“其他”；省略表示未确定
    major_incident_last_year  申请前一年内（科小：上一会计年度及当年）是否发生重大安全、
                              重大质量事故或严重环境违法行为；默认 false（企业自行声明）
    ip                        {class_i, class_ii: 现有有效Ⅰ/Ⅱ类知识产权数,
                               class_ii_used_before: 其中已在以往高企申请中使用过的Ⅱ类数,
                               self_developed: 是否有自主研发（省略=未知）,
                               standards_drafted: 是否参与编制国家/行业标准等（加分项）,
                               pending: [{kind: "I"|"II", expected_on: 预计授权日期}]}
    conversions_3y            近三年科技成果转化项数（合计）
    expert_grades             {advancement: A–E, core_support: A–E, rd_management_points: 0–20}；
                              省略的项按该项全部分值区间处理
    qualifications            有效期内的现有资质代码：HNTE、TSME、gazelle、eaglet、
                              innovation_leader、srdi
    awards                    [{level: national|provincial|municipal, year, rank: 排名}]
    provincial_rd_institution 是否拥有经认定的省部级以上研发机构
    resident_enterprise       是否为中国境内（不含港澳台）注册的居民企业，默认 true
                              （科小条件（一））
    industry_restricted       所在行业是否属于禁止、限制、淘汰类或负面清单行业，
                              默认 false（科小条件（三））
    listed_abnormal_or_dishonest  是否列入经营异常名录、严重违法失信名单，或有科研严重失信、
                              严重弄虚作假行为，默认 false（科小条件（四））
    led_standard_last_5y      近五年内是否主导制定过国际、国家或行业标准，默认 false
                              （科小第八条（四））
    options                   产品口径配置：
        hnte_conversion_divisor   "operating_years"（默认，按实际经营年度数）| "three"
        hnte_short_history_growth "ratio"（默认，两年按 Y2/Y1−1，一年按 0 分）| "zero"
        tsme_rd_option            "best"（默认，取两方案较高分）| "sales" | "cost"
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from .reader import CaseError

__all__ = [
    "TECH_FIELDS",
    "Award",
    "Case",
    "CaseError",
    "ExpertGrades",
    "IPHoldings",
    "Options",
    "PendingIP",
    "YearFigures",
]

# 《国家重点支持的高新技术领域》(2016) 的八大领域 — 国科发火〔2016〕32号 附件
TECH_FIELDS: tuple[str, ...] = (
    "电子信息",
    "生物与新医药",
    "航空航天",
    "新材料",
    "高技术服务",
    "新能源与节能",
    "资源与环境",
    "先进制造与自动化",
)
OTHER_FIELD = "其他"
EXPERT_GRADES: tuple[str, ...] = ("A", "B", "C", "D", "E")
QUALIFICATION_CODES: tuple[str, ...] = (
    "HNTE",
    "TSME",
    "gazelle",
    "eaglet",
    "innovation_leader",
    "srdi",
)
AWARD_LEVELS: tuple[str, ...] = ("national", "provincial", "municipal")

Monthly = tuple[tuple[Decimal, Decimal], ...]


def monthly_average(months: Monthly) -> Fraction:
    """全年月平均数 per 国科发火〔2016〕195号 工作指引 (企业科技人员、职工总数):

    月平均数 = (月初数 + 月末数) ÷ 2；全年月平均数 = 全年各月平均数之和 ÷ 12. For a company
    that opened mid-year the actual operating months are the divisor
    (「以其实际经营期作为一个纳税年度」).
    Input: (月初数, 月末数) pairs in persons. Output: exact persons.
    """
    total = sum((Fraction(begin) + Fraction(end)) / 2 for begin, end in months)
    return Fraction(total) / len(months)


@dataclass(frozen=True)
class YearFigures:
    """One accounting year's figures (amounts in 万元, headcounts in persons)."""

    year: int
    sales_revenue: Decimal
    rd_expense: Decimal
    total_revenue: Decimal | None = None
    hightech_revenue: Decimal | None = None
    rd_expense_domestic: Decimal | None = None
    cost_expense_total: Decimal | None = None
    net_assets_end: Decimal | None = None
    total_assets_end: Decimal | None = None
    employees_avg: Decimal | None = None
    st_staff_avg: Decimal | None = None
    employees_monthly: Monthly | None = None
    st_staff_monthly: Monthly | None = None

    def employees(self) -> Fraction:
        """职工总数（全年月平均数）, exact."""
        if self.employees_monthly is not None:
            return monthly_average(self.employees_monthly)
        return Fraction(self.employees_avg or 0)

    def st_staff(self) -> Fraction:
        """科技人员数（全年月平均数）, exact."""
        if self.st_staff_monthly is not None:
            return monthly_average(self.st_staff_monthly)
        return Fraction(self.st_staff_avg or 0)


@dataclass(frozen=True)
class PendingIP:
    """An IP right applied for but not yet granted, with its expected grant (授权通知) date."""

    kind: str  # "I" or "II"
    expected_on: date


@dataclass(frozen=True)
class IPHoldings:
    """Valid IP rights related to the main products, by class (国科发火〔2016〕195号 指引)."""

    class_i: int = 0
    class_ii: int = 0
    class_ii_used_before: int = 0
    self_developed: bool | None = None
    standards_drafted: bool = False
    pending: tuple[PendingIP, ...] = ()

    @property
    def class_ii_usable(self) -> int:
        """Ⅱ类 rights still usable for 高企 (「按Ⅱ类评价的知识产权…仅限使用一次」)."""
        return self.class_ii - self.class_ii_used_before


@dataclass(frozen=True)
class ExpertGrades:
    """Expert-judged inputs; ``None`` means not yet judged (the whole band range applies)."""

    advancement: str | None = None
    core_support: str | None = None
    rd_management_points: int | None = None


@dataclass(frozen=True)
class Award:
    """A science and technology award: level, year and the enterprise's rank among winners."""

    level: str
    year: int
    rank: int


@dataclass(frozen=True)
class Options:
    """Product decisions the official texts leave open (see the module docstring)."""

    hnte_conversion_divisor: str = "operating_years"
    hnte_short_history_growth: str = "ratio"
    tsme_rd_option: str = "best"


@dataclass(frozen=True)
class Case:
    """One enterprise's data as of ``as_of``. Build it with :func:`load_case`."""

    as_of: date
    registered_on: date
    years: tuple[YearFigures, ...]
    tech_field: str | None = None
    major_incident_last_year: bool = False
    ip: IPHoldings = field(default_factory=IPHoldings)
    conversions_3y: int = 0
    expert_grades: ExpertGrades = field(default_factory=ExpertGrades)
    qualifications: tuple[str, ...] = ()
    awards: tuple[Award, ...] = ()
    provincial_rd_institution: bool = False
    resident_enterprise: bool = True
    industry_restricted: bool = False
    listed_abnormal_or_dishonest: bool = False
    led_standard_last_5y: bool = False
    options: Options = field(default_factory=Options)

    @property
    def last_year(self) -> YearFigures:
        """The most recent accounting year."""
        return self.years[-1]

    def window(self, n: int = 3) -> tuple[YearFigures, ...]:
        """The most recent ``n`` accounting years, oldest first."""
        return self.years[-n:]
