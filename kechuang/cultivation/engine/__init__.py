"""Pure-Python rule engines for enterprise qualification (no Django).

Rulesets: ``hnte-2016`` (高新技术企业认定) and ``tsme-2022`` (科技型中小企业评价).
Typical use::

    case = load_case(data)              # raises CaseError with Chinese messages per field
    result = assess("hnte-2016", case)  # Assessment: eligible, conditions, scores, gaps
    result.to_dict(); result.render_text()
"""

from .case import Case, CaseError
from .case_loader import load_case
from .result import Assessment, ConditionResult, Gap, Interval, ScoreItem
from .rulesets import RULESETS, assess
from .whatif import apply_gap

__all__ = [
    "RULESETS",
    "Assessment",
    "Case",
    "CaseError",
    "ConditionResult",
    "Gap",
    "Interval",
    "ScoreItem",
    "apply_gap",
    "assess",
    "load_case",
]
