"""Validation of the case dict into :class:`.case.Case` (see :mod:`.case` for the format)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .case import (
    AWARD_LEVELS,
    EXPERT_GRADES,
    OTHER_FIELD,
    QUALIFICATION_CODES,
    TECH_FIELDS,
    Award,
    Case,
    ExpertGrades,
    IPHoldings,
    Monthly,
    Options,
    PendingIP,
    YearFigures,
)
from .reader import Reader

YEAR_AMOUNTS: dict[str, str] = {
    "sales_revenue": "销售收入",
    "rd_expense": "研发费用",
    "total_revenue": "总收入",
    "hightech_revenue": "高新技术产品（服务）收入",
    "rd_expense_domestic": "境内研发费用",
    "cost_expense_total": "成本费用支出总额",
    "net_assets_end": "年末净资产",
    "total_assets_end": "年末资产总额",
    "employees_avg": "职工总数",
    "st_staff_avg": "科技人员数",
}
REQUIRED_YEAR_FIELDS = ("sales_revenue", "rd_expense")
MONTHLY_FIELDS = {"employees_monthly": "职工总数月度数据", "st_staff_monthly": "科技人员月度数据"}
TOP_LEVEL_BOOLEANS: dict[str, tuple[str, bool]] = {
    "major_incident_last_year": ("是否发生重大事故或严重环境违法行为", False),
    "provincial_rd_institution": ("是否拥有省部级以上研发机构", False),
    "resident_enterprise": ("是否为境内居民企业", True),
    "industry_restricted": ("是否属于限制类行业", False),
    "listed_abnormal_or_dishonest": ("是否列入异常名录或失信名单", False),
    "led_standard_last_5y": ("近五年是否主导制定标准", False),
}
TOP_LEVEL_KEYS = {
    "as_of",
    "registered_on",
    "tech_field",
    "years",
    "ip",
    "conversions_3y",
    "expert_grades",
    "qualifications",
    "awards",
    "options",
    *TOP_LEVEL_BOOLEANS,
}
OPTION_CHOICES: dict[str, tuple[str, ...]] = {
    "hnte_conversion_divisor": ("operating_years", "three"),
    "hnte_short_history_growth": ("ratio", "zero"),
    "tsme_rd_option": ("best", "sales", "cost"),
}


def build_case(r: Reader, data: Any) -> Case | None:
    """Read every field of ``data``, recording errors on ``r``; None when any error occurred."""
    if r.mapping(data, "案例", "案例数据") is None:
        return None
    r.unknown_keys(data, TOP_LEVEL_KEYS, "")
    as_of = _required(r, data, "as_of", "评估日期", r.iso_date)
    registered_on = _required(r, data, "registered_on", "注册成立日期", r.iso_date)
    if as_of and registered_on and registered_on > as_of:
        r.error("registered_on", "注册成立日期不能晚于评估日期")
    tech_field = None
    if data.get("tech_field") is not None:
        tech_field = r.choice(
            data["tech_field"], "tech_field", "技术领域", (*TECH_FIELDS, OTHER_FIELD)
        )
    booleans = {
        key: _optional(r, data, key, label, r.boolean, default)
        for key, (label, default) in TOP_LEVEL_BOOLEANS.items()
    }
    years = _years(r, data.get("years"), as_of, registered_on)
    ip = _ip(r, data.get("ip"))
    conversions = _optional(r, data, "conversions_3y", "近三年科技成果转化项数", r.integer, 0)
    grades = _grades(r, data.get("expert_grades"))
    quals = _qualifications(r, data.get("qualifications"))
    awards = _awards(r, data.get("awards"))
    options = _options(r, data.get("options"))
    if r.errors or as_of is None or registered_on is None or years is None:
        return None
    return Case(
        as_of=as_of,
        registered_on=registered_on,
        years=years,
        tech_field=tech_field,
        ip=ip,
        conversions_3y=conversions,
        expert_grades=grades,
        qualifications=quals,
        awards=awards,
        options=options,
        **booleans,
    )


def _required(r: Reader, data: dict[str, Any], key: str, label: str, read: Any) -> Any:
    """A required top-level field read with ``read``; records 缺少必填字段 when absent."""
    if data.get(key) is None:
        r.error(key, f"缺少必填字段：{label}")
        return None
    return read(data[key], key, label)


def _optional(
    r: Reader, data: dict[str, Any], key: str, label: str, read: Any, default: Any, prefix: str = ""
) -> Any:
    """An optional field read with ``read``; ``default`` when absent or invalid."""
    path = f"{prefix}.{key}" if prefix else key
    if data.get(key) is None:
        return default
    value = read(data[key], path, label)
    return default if value is None else value


def _years(r: Reader, raw: Any, as_of: Any, registered_on: Any) -> tuple[YearFigures, ...] | None:
    """``years``: consecutive, oldest first, ended before as_of, not before registration."""
    if raw is None or raw == []:
        r.error("years", "缺少年度数据（years），至少需要最近一个会计年度的数据")
        return None
    items = r.sequence(raw, "years", "年度数据")
    if items is None:
        return None
    years = [_year(r, item, f"years[{i}]") for i, item in enumerate(items)]
    if any(y is None for y in years):
        return None
    result = tuple(y for y in years if y is not None)
    for i in range(1, len(result)):
        if result[i].year != result[i - 1].year + 1:
            r.error(
                f"years[{i}].year",
                f"年度须连续且由远及近排列：{result[i - 1].year} 之后应为 "
                f"{result[i - 1].year + 1}，收到 {result[i].year}",
            )
    if as_of is not None and result[-1].year >= as_of.year:
        r.error(
            f"years[{len(result) - 1}].year",
            f"年度数据须为评估日期（{as_of.isoformat()}）之前已结束的会计年度",
        )
    if registered_on is not None and result[0].year < registered_on.year:
        r.error("years[0].year", f"{result[0].year} 年早于企业注册成立年度 {registered_on.year}")
    return result


def _year(r: Reader, raw: Any, path: str) -> YearFigures | None:
    """One year's figures (万元, persons); amounts non-negative except 年末净资产."""
    if r.mapping(raw, path, "年度数据") is None:
        return None
    r.unknown_keys(raw, {"year", *YEAR_AMOUNTS, *MONTHLY_FIELDS}, path)
    before = len(r.errors)
    year = None
    if raw.get("year") is None:
        r.error(f"{path}.year", "缺少必填字段：年度")
    else:
        year = r.integer(raw["year"], f"{path}.year", "年度", minimum=1949)
    amounts: dict[str, Decimal | None] = {}
    for key, label in YEAR_AMOUNTS.items():
        if raw.get(key) is None:
            if key in REQUIRED_YEAR_FIELDS:
                r.error(f"{path}.{key}", f"缺少必填字段：{label}")
            amounts[key] = None
            continue
        negative_ok = key == "net_assets_end"
        amounts[key] = r.number(raw[key], f"{path}.{key}", label, allow_negative=negative_ok)
    monthly = {
        key: _monthly(r, raw.get(key), f"{path}.{key}", lbl) for key, lbl in MONTHLY_FIELDS.items()
    }
    _check_headcounts(r, raw, path)
    _check_parts(r, amounts, path)
    if len(r.errors) > before or year is None:
        return None
    return YearFigures(year=year, **amounts, **monthly)  # type: ignore[arg-type]


def _monthly(r: Reader, raw: Any, path: str, label: str) -> Monthly | None:
    """Monthly headcounts: 1–12 [月初数, 月末数] pairs of non-negative numbers."""
    if raw is None:
        return None
    items = r.sequence(raw, path, label)
    if items is None:
        return None
    if not 1 <= len(items) <= 12:
        r.error(path, f"{label}应包含 1–12 个月，收到 {len(items)} 个")
        return None
    months = []
    for i, pair in enumerate(items):
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            r.error(f"{path}[{i}]", f"{label}每月应为 [月初数, 月末数]")
            continue
        begin = r.number(pair[0], f"{path}[{i}][0]", "月初人数")
        end = r.number(pair[1], f"{path}[{i}][1]", "月末人数")
        if begin is not None and end is not None:
            months.append((begin, end))
    return tuple(months) if len(months) == len(items) else None


def _check_headcounts(r: Reader, raw: dict[str, Any], path: str) -> None:
    """Each headcount is given exactly once: annual monthly average or monthly data."""
    for avg, monthly, label in (
        ("employees_avg", "employees_monthly", "职工总数"),
        ("st_staff_avg", "st_staff_monthly", "科技人员数"),
    ):
        has_avg, has_monthly = raw.get(avg) is not None, raw.get(monthly) is not None
        if has_avg and has_monthly:
            r.error(f"{path}.{avg}", f"{label}请只填写全年月平均数或月度数据其中之一")
        elif not has_avg and not has_monthly:
            r.error(f"{path}.{avg}", f"缺少必填字段：{label}（全年月平均数或月度数据）")


def _check_parts(r: Reader, a: dict[str, Decimal | None], path: str) -> None:
    """A part may not exceed its whole (境内 ≤ 全部研发费用, 高新收入 ≤ 总收入)."""
    pairs = (
        ("rd_expense_domestic", "rd_expense", "境内研发费用不能大于研发费用总额"),
        ("hightech_revenue", "total_revenue", "高新技术产品（服务）收入不能大于总收入"),
        ("st_staff_avg", "employees_avg", "科技人员数不能大于职工总数"),
    )
    for part, whole, message in pairs:
        p, w = a.get(part), a.get(whole)
        if p is not None and w is not None and p > w:
            r.error(f"{path}.{part}", message)


def _ip(r: Reader, raw: Any) -> IPHoldings:
    """The ``ip`` object: counts (items), flags and pending rights with expected grant dates."""
    if raw is None or r.mapping(raw, "ip", "知识产权") is None:
        return IPHoldings()
    keys = {"class_i", "class_ii", "class_ii_used_before", "self_developed", "standards_drafted"}
    r.unknown_keys(raw, {*keys, "pending"}, "ip")
    class_i = _optional(r, raw, "class_i", "Ⅰ类知识产权数", r.integer, 0, "ip")
    class_ii = _optional(r, raw, "class_ii", "Ⅱ类知识产权数", r.integer, 0, "ip")
    used = _optional(r, raw, "class_ii_used_before", "已使用过的Ⅱ类知识产权数", r.integer, 0, "ip")
    if used > class_ii:
        r.error("ip.class_ii_used_before", "已使用过的Ⅱ类知识产权数不能大于Ⅱ类知识产权数")
    pending: list[PendingIP] = []
    for i, item in enumerate(
        r.sequence(raw.get("pending") or [], "ip.pending", "待授权知识产权") or []
    ):
        path = f"ip.pending[{i}]"
        if r.mapping(item, path, "待授权知识产权") is None:
            continue
        r.unknown_keys(item, {"kind", "expected_on"}, path)
        kind = r.choice(item.get("kind"), f"{path}.kind", "知识产权类别", ("I", "II"))
        when = r.iso_date(item.get("expected_on"), f"{path}.expected_on", "预计授权日期")
        if kind and when:
            pending.append(PendingIP(kind, when))
    return IPHoldings(
        class_i=class_i,
        class_ii=class_ii,
        class_ii_used_before=used,
        self_developed=_optional(r, raw, "self_developed", "是否自主研发", r.boolean, None, "ip"),
        standards_drafted=_optional(
            r, raw, "standards_drafted", "是否参与编制标准", r.boolean, False, "ip"
        ),
        pending=tuple(sorted(pending, key=lambda p: p.expected_on)),
    )


def _grades(r: Reader, raw: Any) -> ExpertGrades:
    """Expert grades A–E and 研究开发组织管理水平 points 0–20; omitted means not judged."""
    if raw is None or r.mapping(raw, "expert_grades", "专家评价") is None:
        return ExpertGrades()
    r.unknown_keys(raw, {"advancement", "core_support", "rd_management_points"}, "expert_grades")
    values: dict[str, Any] = {}
    for key, label in (("advancement", "技术先进程度等级"), ("core_support", "核心支持作用等级")):
        if raw.get(key) is not None:
            values[key] = r.choice(raw[key], f"expert_grades.{key}", label, EXPERT_GRADES)
    if raw.get("rd_management_points") is not None:
        values["rd_management_points"] = r.integer(
            raw["rd_management_points"],
            "expert_grades.rd_management_points",
            "研究开发组织管理水平得分",
            maximum=20,
        )
    return ExpertGrades(**values)


def _qualifications(r: Reader, raw: Any) -> tuple[str, ...]:
    """Qualification codes from the glossary (HNTE, TSME, …)."""
    items = r.sequence(raw, "qualifications", "资质列表") if raw is not None else []
    result = []
    for i, item in enumerate(items or []):
        code = r.choice(item, f"qualifications[{i}]", "资质代码", QUALIFICATION_CODES)
        if code:
            result.append(code)
    return tuple(result)


def _awards(r: Reader, raw: Any) -> tuple[Award, ...]:
    """Awards: level, year, rank among the winning units (≥1)."""
    items = r.sequence(raw, "awards", "奖励列表") if raw is not None else []
    result = []
    for i, item in enumerate(items or []):
        path = f"awards[{i}]"
        if r.mapping(item, path, "奖励") is None:
            continue
        r.unknown_keys(item, {"level", "year", "rank"}, path)
        level = r.choice(item.get("level"), f"{path}.level", "奖励级别", AWARD_LEVELS)
        year = r.integer(item.get("year"), f"{path}.year", "获奖年度", minimum=1949)
        rank = r.integer(item.get("rank"), f"{path}.rank", "获奖单位排名", minimum=1)
        if level and year and rank:
            result.append(Award(level, year, rank))
    return tuple(result)


def _options(r: Reader, raw: Any) -> Options:
    """Product-decision options with their allowed values."""
    if raw is None or r.mapping(raw, "options", "配置") is None:
        return Options()
    r.unknown_keys(raw, set(OPTION_CHOICES), "options")
    values = {}
    for key, choices in OPTION_CHOICES.items():
        if raw.get(key) is not None:
            values[key] = r.choice(raw[key], f"options.{key}", "配置取值", choices)
    return Options(**{k: v for k, v in values.items() if v is not None})


def load_case(data: dict[str, Any]) -> Case:
    """Validate ``data`` (amounts in 万元) and build a :class:`Case`.

    Raises :class:`CaseError` listing every invalid field with a Chinese message.
    """
    reader = Reader()
    case = build_case(reader, data)
    reader.raise_if_errors()
    assert case is not None
    return case
