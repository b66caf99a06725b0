"""The simulation command: JSON over the registry, bad input as a Chinese CommandError."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kechuang.policies.tests.conftest import DATA

pytestmark = pytest.mark.django_db


def test_simulate_policy_command(city: dict[str, Any], tmp_path: Any) -> None:
    out = io.StringIO()
    path = DATA / "rd-increase-subsidy.yaml"
    call_command("simulate_policy", str(path), year=2025, set=["amount.cap=30000"], stdout=out)
    answer = json.loads(out.getvalue())
    # 2025 ≥ 100 万 and an increase over a positive 2024: all four; 10% with floor 10000
    assert answer["before"]["eligible"] == 4 and answer["before"]["total"] == "241000.00"
    assert answer["after"]["total"] == "91000.00" and answer["lost"] == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: x\nname: y\nconditions: []\namount: {kind: fixed, value: 1}\n")
    with pytest.raises(CommandError, match="conditions：至少需要一个享受条件"):
        call_command("simulate_policy", str(bad), year=2025)
