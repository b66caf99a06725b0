"""Pure rules of technology-contract registration (技术合同认定登记): the category vocabulary, the
technology transaction amount (技术交易额), working-day deadlines and the statistics. No Django.

Sources: `../shared/reference/official-rules.md` §5 — 技术合同认定规则 国科发政字〔2001〕253号
(categories 第四条, amounts 第五十一、五十二条; superseded on 2026-01-23 by MIIT's new
技术合同认定登记管理办法, whose article texts were not obtained) and the 2024-12-20 consultation
draft (procedure: 第十一条 to 第十七条).
"""

from kechuang.contracts.engine.amounts import (
    AmountResult,
    Deduction,
    DeductionKind,
    technology_amount,
)
from kechuang.contracts.engine.calendar import (
    LARGE_CONTRACT_WAN,
    WorkingCalendar,
    deadline,
    working_days_allowed,
)
from kechuang.contracts.engine.categories import (
    CATEGORIES,
    SUBCATEGORIES,
    category_label,
    check_category,
    statistical_category,
    subcategory_label,
)
from kechuang.contracts.engine.errors import ContractRuleError
from kechuang.contracts.engine.stats import ContractRecord, Statistics, aggregate, counted

__all__ = [
    "CATEGORIES",
    "LARGE_CONTRACT_WAN",
    "SUBCATEGORIES",
    "AmountResult",
    "ContractRecord",
    "ContractRuleError",
    "Deduction",
    "DeductionKind",
    "Statistics",
    "WorkingCalendar",
    "aggregate",
    "category_label",
    "check_category",
    "counted",
    "deadline",
    "statistical_category",
    "subcategory_label",
    "technology_amount",
    "working_days_allowed",
]
