"""Configurable enterprise tier rule sets and the HNTE reserve pool (高企后备库) tiers.

Rules are data (``data/cultivation/tier-rules.yaml`` or an admin JSON field) so that the bureau
can edit thresholds and effective dates without a code change. :func:`load_rules` validates the
whole structure and raises :class:`RuleError` listing every problem at once (Chinese messages
naming the rule set and the criterion, e.g. “河南省瞪羚企业 第2条：未知指标“sales_growth””).

Format (see the YAML file for a commented example)::

    rule_sets:
      - code, name, issuer_level, qualification_kind?, effective_from, effective_to?,
        source, status, note?, criteria: [node, …]          # ALL must hold
    reserve_tiers:
      version, effective_from, source, note?, status?, exclude: [node, …],
      tiers: [{code, label, description?, criteria: [node, …]}, …]   # first match wins

    node := {metric, op, value, source?, confidence, note?}
          | {any_of: [node, …], note?}                        # at least one must hold
          | {all_of: [node, …], note?}                        # all must hold (inside any_of)

Operators: ``>=``, ``>``, ``<=``, ``<``, ``==`` and ``between`` with ``value: [lo, hi]`` meaning
**lo ≤ x < hi** (lower end included, upper end excluded, as in 「1000万(含)–1亿」 followed by
「1亿(含)–2亿」). Write two criteria (``>=`` and ``<=``) for a closed interval.
``value: null`` is a threshold the bureau has not set yet.

Semantics, three-valued and vectorised over all enterprises: a criterion is True, False or
Unknown; it is Unknown where the metric is NaN (or absent from the metrics: data not held) or
where the threshold is null. ALL: False if any False, else Unknown if any Unknown, else True.
any_of: True if any True, else Unknown if any Unknown, else False. Result codes (int8):
:data:`FAIL` 0, :data:`PASS` 1, :data:`UNKNOWN` 2 (待确认 / 数据不足).

Reserve tiers: a row's tier is the first tier whose criteria are True (Unknown does not match);
rows where ``exclude`` is True (e.g. already 高新技术企业) and rows matching no tier get -1.
"""

from .description import describe, explain
from .evaluation import assign_reserve_tiers, evaluate, evaluate_rule_sets
from .loading import load_criteria, load_reserve_policy, load_rule_set, load_rules
from .nodes import (
    CONFIDENCES,
    FAIL,
    ISSUER_LEVELS,
    OPS,
    OUTCOMES,
    PASS,
    QUALIFICATION_KINDS,
    STATUSES,
    UNKNOWN,
    AllOf,
    AnyOf,
    Criterion,
    Node,
    RuleError,
)
from .specs import ReservePolicySpec, ReserveTierSpec, TierRuleSpec
from .wording import describe_node

__all__ = [
    "CONFIDENCES",
    "FAIL",
    "ISSUER_LEVELS",
    "OPS",
    "OUTCOMES",
    "PASS",
    "QUALIFICATION_KINDS",
    "STATUSES",
    "UNKNOWN",
    "AllOf",
    "AnyOf",
    "Criterion",
    "Node",
    "ReservePolicySpec",
    "ReserveTierSpec",
    "RuleError",
    "TierRuleSpec",
    "assign_reserve_tiers",
    "describe",
    "describe_node",
    "evaluate",
    "evaluate_rule_sets",
    "explain",
    "load_criteria",
    "load_reserve_policy",
    "load_rule_set",
    "load_rules",
]
