"""Chinese labels of the result vocabulary (eligibility, point policy), shared by the result
types and the text report."""

from __future__ import annotations

POLICY_LABELS: dict[str, str] = {"min": "最低分", "mid": "中间值", "max": "最高分"}
ELIGIBILITY_LABELS: dict[str, str] = {
    "pass": "符合",
    "fail": "不符合",
    "depends_on_expert_judgement": "取决于专家评审",
}
