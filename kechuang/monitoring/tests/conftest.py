from typing import Any

import pytest
from django.conf import settings


@pytest.fixture
def plan(reference: None) -> Any:
    from kechuang.monitoring.services import load_plan_file

    return load_plan_file(settings.DATA_DIR / "plans" / "nanyang-14th.yaml")
