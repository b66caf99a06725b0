"""The words of the policy rule language: the facts a condition may name, the figures of the
confirmed annual report it may read, and their Chinese labels (kept here so the engine stays
free of Django; the names follow `registry.models` — QualificationKind, AnnualReport fields,
PlatformLevel — and a test checks they still do)."""

from __future__ import annotations

QUALIFICATIONS = {
    "HNTE": "高新技术企业",
    "TSME": "科技型中小企业",
    "gazelle": "瞪羚企业",
    "eaglet": "科技雏鹰企业",
    "innovation_leader": "创新龙头企业",
    "srdi": "专精特新中小企业",
    "little_giant": "专精特新“小巨人”企业",
    "innovative_sme": "创新型中小企业",
    "tech_giant": "科技小巨人企业",
}

# Annual-report figures a rule may read (amounts in 万元, counts in 人).
FIGURES = {
    "total_revenue": "总收入",
    "sales_revenue": "销售收入",
    "main_revenue": "主营业务收入",
    "hightech_revenue": "高新技术产品（服务）收入",
    "rd_expense": "研发费用总额",
    "rd_expense_domestic": "境内研发费用",
    "employees_avg": "职工总数",
    "st_staff_avg": "科技人员",
    "tech_contract_income": "技术合同收入",
}
FIGURE_UNITS = {"employees_avg": "人", "st_staff_avg": "人"}

PLATFORM_LEVELS = {"national": "国家级", "provincial": "省级", "municipal": "市级"}
SIZES = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}

# fact name -> (label, value type): bool facts take no operator; "set" facts take in / not_in.
FACTS = {
    "holds": ("年末持有有效资质", "bool"),
    "first_granted": ("当年首次获得认定", "bool"),
    "figure": ("年度数据", "number"),
    "increase": ("较上年增加额", "number"),
    "growth_rate": ("较上年增长率", "number"),
    "new_platforms": ("当年新获批（或晋级）的平台数", "number"),
    "contract_amount": ("当年登记的技术合同技术交易额（万元）", "number"),
    "patents_granted": ("当年授权发明专利数", "number"),
    "area": ("所在区域", "set"),
    "size": ("企业规模", "set"),
}
# Facts usable as the base of an amount (a ratio is not an amount base).
BASE_FACTS = ("figure", "increase", "new_platforms", "contract_amount", "patents_granted")
NUMBER_OPS = (">=", ">", "<=", "<", "==")
SET_OPS = ("in", "not_in")

MODES = {"exempt": "免申即享", "confirm": "即申即享", "apply": "申报"}
FREQUENCIES = {"yearly": "按年度", "once": "一次性"}
AMOUNT_KINDS = {"fixed": "定额", "rate": "按比例", "per_unit": "按单位计", "tiers": "分档"}
STACKING_RULES = {"highest": "就高不重复享受", "combined_cap": "合计封顶"}
SHORTFALL_RULES = {"pro_rata": "按比例同比例核减", "priority": "按排序依次足额兑现"}
PRIORITY_ORDERS = {
    "amount_desc": "金额从高到低",
    "amount_asc": "金额从低到高",
    "base_desc": "计算基数从高到低",
}
