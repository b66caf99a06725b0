"""Queue discipline for benefit runs (#17 item 8): the identical run still queued is returned,
and a user has a limited number of runs queued or running, told in Chinese."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kechuang.policies import services
from kechuang.policies.models import BenefitRun, RunStatus
from kechuang.policies.tests.conftest import RD_TEXT

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 4, 1)


def test_identical_benefit_runs_are_merged_and_the_queue_is_limited(
    users: Any, city: Any, settings: Any
) -> None:
    settings.JOBS_MAX_PENDING_PER_USER = 2
    staff = users["city_staff"]
    policy = services.create_policy(staff, RD_TEXT)
    first = services.start_run(staff, policy, 2025, as_of=DAY)
    assert services.start_run(staff, policy, 2025, as_of=DAY).pk == first.pk
    services.start_run(staff, policy, 2024, as_of=DAY)
    with pytest.raises(ValidationError) as refused:
        services.start_run(staff, policy, 2023, as_of=DAY)
    assert "您已有 2 个兑现计算在排队或进行中（每人最多 2 个）" in refused.value.messages[0]
    assert BenefitRun.objects.count() == 2
    BenefitRun.objects.filter(pk=first.pk).update(status=RunStatus.DONE)
    assert services.start_run(staff, policy, 2023, as_of=DAY).year == 2023  # room again
