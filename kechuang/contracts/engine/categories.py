"""The categories of technology contracts and their subcategories.

技术合同认定规则 国科发政字〔2001〕253号 第四条 (official-rules.md §5.1, [V2]): 技术开发 (委托开发、
合作开发), 技术转让 (专利权转让、专利申请权转让、专利实施许可、技术秘密转让), 技术咨询, 技术服务
(技术服务、技术培训、技术中介); 第四十三条 and 第四十七条: 技术培训 and 技术中介 are kinds of
技术服务 "registered separately" (单独予以登记), so statistics count them as their own categories.
Since the 民法典 (第八百六十二条) and in the 2024 draft and the 2026 rules, 技术许可 is a category
of its own beside 技术转让 ([V1]); the 2026 taxonomy is not confirmed ([U]). Licences of patents
and technical secrets therefore sit under 技术许可 here, and the transfer of the other statutory
rights the 民法典 names (集成电路布图设计权, 植物新品种权, 计算机软件著作权) under 技术转让.
"""

from __future__ import annotations

from kechuang.contracts.engine.errors import ContractRuleError

DEVELOPMENT = "development"
TRANSFER = "transfer"
LICENSING = "licensing"
CONSULTING = "consulting"
SERVICE = "service"
# 技术培训 and 技术中介: subcategories of 技术服务 that statistics count as categories of their own.
TRAINING = "training"
INTERMEDIARY = "intermediary"

CATEGORIES: dict[str, str] = {
    DEVELOPMENT: "技术开发",
    TRANSFER: "技术转让",
    LICENSING: "技术许可",
    CONSULTING: "技术咨询",
    SERVICE: "技术服务",
}

SUBCATEGORIES: dict[str, dict[str, str]] = {
    DEVELOPMENT: {"commissioned": "委托开发", "cooperative": "合作开发"},
    TRANSFER: {
        "patent": "专利权转让",
        "patent_application": "专利申请权转让",
        "technical_secret": "技术秘密转让",
        "ic_layout": "集成电路布图设计权转让",
        "plant_variety": "植物新品种权转让",
        "software_copyright": "计算机软件著作权转让",
        "other_transfer": "其他技术转让",
    },
    LICENSING: {
        "patent_licence": "专利实施许可",
        "technical_secret_licence": "技术秘密使用许可",
        "ic_layout_licence": "集成电路布图设计使用许可",
        "plant_variety_licence": "植物新品种权实施许可",
        "software_licence": "计算机软件著作权许可",
        "other_licence": "其他技术许可",
    },
    CONSULTING: {"consulting": "技术咨询"},
    SERVICE: {"service": "技术服务", TRAINING: "技术培训", INTERMEDIARY: "技术中介"},
}

STATISTICAL_CATEGORIES: dict[str, str] = {
    **CATEGORIES,
    TRAINING: "技术培训",
    INTERMEDIARY: "技术中介",
}

_LABEL_TO_CATEGORY = {label: code for code, label in CATEGORIES.items()}
_LABEL_TO_SUB = {
    (cat, label): code for cat, subs in SUBCATEGORIES.items() for code, label in subs.items()
}


def category_label(category: str) -> str:
    return CATEGORIES.get(category, category)


def subcategory_label(category: str, subcategory: str) -> str:
    return SUBCATEGORIES.get(category, {}).get(subcategory, subcategory)


def check_category(category: str, subcategory: str) -> tuple[str, str]:
    """(category code, subcategory code) from codes or Chinese labels, or a Chinese error."""
    category = _LABEL_TO_CATEGORY.get(category.strip(), category.strip())
    if category not in CATEGORIES:
        allowed = "、".join(CATEGORIES.values())
        raise ContractRuleError.on("category", f"未知的合同类别“{category}”：应为{allowed}之一。")
    subs = SUBCATEGORIES[category]
    subcategory = subcategory.strip()
    if not subcategory and len(subs) == 1:
        subcategory = next(iter(subs))
    subcategory = _LABEL_TO_SUB.get((category, subcategory), subcategory)
    if subcategory not in subs:
        allowed = "、".join(subs.values())
        raise ContractRuleError.on(
            "subcategory",
            f"{CATEGORIES[category]}合同的细分类别“{subcategory}”无效：应为{allowed}之一。",
        )
    return category, subcategory


def statistical_category(category: str, subcategory: str) -> str:
    """The category statistics count: 技术培训 and 技术中介 apart from 技术服务
    (第四十三、四十七条)."""
    if category == SERVICE and subcategory in (TRAINING, INTERMEDIARY):
        return subcategory
    return category
