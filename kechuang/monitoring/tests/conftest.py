from typing import Any

import pytest
from django.conf import settings

from kechuang.monitoring.services import load_plan_file


@pytest.fixture
def plan(reference: None) -> Any:
    return load_plan_file(settings.DATA_DIR / "plans" / "nanyang-14th.yaml")
