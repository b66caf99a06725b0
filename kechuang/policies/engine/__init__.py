"""The pure engine of the policies module: policies as data (`rules`), the evaluation of one
enterprise with its explanation (`evaluate`), stacking and the budget (`budget`), and the uptake
and cost simulation (`simulate`). No Django import; money in 元, figures in 万元."""

from .budget import Claim, allocate, stack
from .errors import PolicyRuleError
from .evaluate import Check, Facts, Outcome, evaluate
from .loader import load_policy, read_document
from .rules import Policy, parse_policy
from .simulate import compare, summarise, with_changes

__all__ = [
    "Check",
    "Claim",
    "Facts",
    "Outcome",
    "Policy",
    "PolicyRuleError",
    "allocate",
    "compare",
    "evaluate",
    "load_policy",
    "parse_policy",
    "read_document",
    "stack",
    "summarise",
    "with_changes",
]
