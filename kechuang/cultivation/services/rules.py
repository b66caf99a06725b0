"""The shipped rule data (`data/cultivation/tier-rules.yaml`): tier rule sets and the reserve
policy, loaded into the models the bureau then edits in the admin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction

from kechuang.cultivation.engine import tiers
from kechuang.cultivation.models import ReservePolicy, TierRuleSet

TIER_RULES_FILE = Path(settings.BASE_DIR) / "data" / "cultivation" / "tier-rules.yaml"


def read_rules_file(path: Path | str = TIER_RULES_FILE) -> dict[str, Any]:
    """The rules file, validated by the engine (raises tiers.RuleError with every problem)."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise tiers.RuleError(["规则文件应为 YAML 映射（rule_sets、reserve_tiers）。"])
    tiers.load_rules(data)
    return data


@transaction.atomic
def load_tier_rules(path: Path | str = TIER_RULES_FILE, overwrite: bool = False) -> dict[str, int]:
    """Create the file's rule sets and reserve policy when missing (the bureau's later edits
    are kept unless `overwrite`); the policy becomes active when none is. Counts per outcome."""
    data = read_rules_file(path)
    counts = {"created": 0, "updated": 0, "kept": 0}
    for item in data.get("rule_sets", []):
        rule_set = tiers.load_rule_set(item)
        fields = {
            "name": rule_set.name,
            "issuer_level": rule_set.issuer_level,
            "qualification_kind": rule_set.qualification_kind or "",
            "effective_from": rule_set.effective_from,
            "effective_to": rule_set.effective_to,
            "status": rule_set.status,
            "source": rule_set.source or "",
            "note": rule_set.note or "",
            "criteria": item["criteria"],
        }
        existing = TierRuleSet.objects.filter(code=rule_set.code).first()
        if existing is None:
            TierRuleSet.objects.create(code=rule_set.code, **fields)
            counts["created"] += 1
        elif overwrite:
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.save()
            counts["updated"] += 1
        else:
            counts["kept"] += 1
    policy_data = data["reserve_tiers"]
    policy = tiers.load_reserve_policy(policy_data)
    existing_policy = ReservePolicy.objects.filter(version=policy.version).first()
    fields = {
        "effective_from": policy.effective_from,
        "source": policy.source or "",
        "note": policy.note or "",
        "exclude": policy_data.get("exclude", []),
        "tiers": policy_data["tiers"],
    }
    if existing_policy is None:
        existing_policy = ReservePolicy.objects.create(version=policy.version, **fields)
        counts["created"] += 1
    elif overwrite:
        for name, value in fields.items():
            setattr(existing_policy, name, value)
        existing_policy.save()
        counts["updated"] += 1
    else:
        counts["kept"] += 1
    if not ReservePolicy.objects.filter(active=True).exists():
        existing_policy.active = True
        existing_policy.save()
    return counts
