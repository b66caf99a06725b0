"""A user's request for a batch screening: every enterprise on record, or one area's, against
高企 (hnte-2016), 科小 (tsme-2022) and the tier rule sets. The run is saved and audited here and
executed by the background task (:mod:`kechuang.cultivation.tasks` →
:func:`kechuang.cultivation.services.pool.execute_run`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.core.jobs.services import max_pending, queue_full_message
from kechuang.core.permissions import SCREEN_ENTERPRISES
from kechuang.core.scoping import fits_scope
from kechuang.cultivation.models import RunStatus, ScreeningRun
from kechuang.cultivation.tasks import screen_enterprises
from kechuang.registry.models import Area


def start_screening(
    user: Any, as_of: dt.date | None = None, area: Area | None = None
) -> ScreeningRun:
    """Queue a screening for `user`: city staff for the city or any area, county staff for their
    own area only. Returns the queued run; the background worker executes it. An identical run
    still queued (same date, same area) is returned instead of a second one; a user has at most
    `JOBS_MAX_PENDING_PER_USER` runs queued or running (#17 item 8)."""
    SCREEN_ENTERPRISES.check(user)
    today = timezone.localdate()
    as_of = as_of or today
    if as_of > today:
        raise ValidationError({"as_of": ["评价基准日不能晚于今天。"]})
    if as_of.year < 2000:
        raise ValidationError({"as_of": ["评价基准日不早于 2000 年。"]})
    run = ScreeningRun(as_of=as_of, area=area or user.area, requested_by=user)
    if not fits_scope(user, "add", run):  # the run's area must lie within the user's
        raise PermissionDenied("您只能筛查本县区的企业。")
    same = ScreeningRun.objects.filter(status=RunStatus.QUEUED, as_of=as_of, area=run.area).first()
    if same is not None:
        return same
    _check_queue(user)
    with transaction.atomic():
        run.save()
        run.task_id = str(screen_enterprises.enqueue(run.pk).id)
        ScreeningRun.objects.filter(pk=run.pk).update(task_id=run.task_id)
    return run


def _check_queue(user: Any) -> None:
    pending = ScreeningRun.objects.filter(
        requested_by=user, status__in=(RunStatus.QUEUED, RunStatus.RUNNING)
    ).count()
    limit = max_pending()
    if pending >= limit:
        raise ValidationError({"__all__": [queue_full_message(pending, limit, "筛查")]})
