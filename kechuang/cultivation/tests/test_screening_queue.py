"""Queue discipline for screenings (#17 item 8): an identical run still queued is returned, not
queued again; a user has a limited number of runs queued or running, told in Chinese; the
workbench shows the queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kechuang.cultivation.models import RunStatus, ScreeningRun
from kechuang.cultivation.services.screenings import start_screening
from kechuang.cultivation.tests.conftest import AS_OF

pytestmark = pytest.mark.django_db


def test_an_identical_queued_screening_is_not_queued_twice(users: Any, wolong: Any) -> None:
    first = start_screening(users["city_staff"], AS_OF)
    again = start_screening(users["city_staff"], AS_OF)
    by_county = start_screening(users["county_staff"], AS_OF)  # 卧龙区 only: another run
    assert again.pk == first.pk and by_county.pk != first.pk
    assert ScreeningRun.objects.count() == 2
    ScreeningRun.objects.filter(pk=first.pk).update(status=RunStatus.DONE)
    assert start_screening(users["city_staff"], AS_OF).pk != first.pk  # done: a new one


def test_a_user_has_a_limited_screening_queue(users: Any, settings: Any, client_for: Any) -> None:
    settings.JOBS_MAX_PENDING_PER_USER = 2
    staff = users["city_staff"]
    for days in (1, 2):
        start_screening(staff, AS_OF - dt.timedelta(days=days))
    with pytest.raises(ValidationError) as refused:
        start_screening(staff, AS_OF - dt.timedelta(days=3))
    assert refused.value.message_dict == {
        "__all__": [
            "您已有 2 个筛查在排队或进行中（每人最多 2 个），请等其中的筛查完成后再提交；"
            "进度可在“我的任务”或工作台查看。"
        ]
    }
    assert ScreeningRun.objects.count() == 2
    page = client_for("city_staff").post(
        "/cultivation/screenings/", {"as_of": (AS_OF - dt.timedelta(days=4)).isoformat()}
    )
    assert page.status_code == 422 and "每人最多 2 个" in page.content.decode()
    home = client_for("city_staff").get("/").content.decode()
    assert "排队或进行中的任务" in home
