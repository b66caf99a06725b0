"""The registry of rulesets and the single entry point :func:`assess`."""

from __future__ import annotations

from types import ModuleType

from . import hnte_2016, tsme_2022
from .case import Case
from .result import POINT_POLICIES, Assessment, PointPolicy

RULESETS: dict[str, ModuleType] = {
    hnte_2016.CODE: hnte_2016,
    tsme_2022.CODE: tsme_2022,
}


def assess(
    code: str, case: Case, point_policy: PointPolicy = "min", with_gaps: bool = True
) -> Assessment:
    """Assess ``case`` (amounts in 万元) with the ruleset ``code``.

    ``point_policy`` (min / mid / max) picks the single number reported from score intervals;
    eligibility always uses the whole interval. Raises ValueError (Chinese message) for an
    unknown ruleset or policy, and CaseError when the case lacks data the ruleset needs.
    """
    ruleset = RULESETS.get(code)
    if ruleset is None:
        known = "、".join(RULESETS)
        raise ValueError(f"未知的评价规则“{code}”，可用的规则为：{known}")
    if point_policy not in POINT_POLICIES:
        raise ValueError(f"未知的取分口径“{point_policy}”，应为 min、mid、max 之一")
    result: Assessment = ruleset.assess(case, point_policy, with_gaps)
    return result
