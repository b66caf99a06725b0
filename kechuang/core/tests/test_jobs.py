"""Background jobs (core/jobs): enqueue by dotted path, run, progress outside the write's
transaction, failures in Chinese with nothing half-written, the owner's file, queue discipline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings

from kechuang.core.jobs import services
from kechuang.core.jobs.models import Job, JobStatus
from kechuang.core.jobs.services import JobFailure, JobResult, Progress
from kechuang.registry.models import Organization

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
HERE = "kechuang.core.tests.test_jobs"
SEEN: dict[str, Any] = {}


# --- work functions the tests queue (by dotted path, as the worker finds them) --------------


def work_export(progress: Progress, rows: int) -> JobResult:
    progress.start("导出", total=rows)
    for done in range(0, rows + 1, 10):
        progress.step(done)
    return JobResult(f"已导出 {rows} 条记录。", b"PK\x03\x04 rows", "单位.xlsx")


def work_half_then_fail(progress: Progress, org_id: int) -> JobResult:
    """Writes inside one transaction, reports progress, then fails: nothing may remain."""
    with transaction.atomic():
        Organization.objects.filter(pk=org_id).update(name="改名（不应保留）")
        progress.start("写入", total=2)
        progress.step(1)
        SEEN["mid"] = services.progress_of(Job.objects.get(pk=progress.pk))
        SEEN["row_mid"] = Job.objects.filter(pk=progress.pk).values_list("done", flat=True)[0]
        raise JobFailure("第 2 行的单位已被注销，未写入任何数据；请核对后重新导入。")


def work_crash(progress: Progress) -> JobResult:
    raise KeyError("internal")


# --- tests ------------------------------------------------------------------------------------


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_job_runs_reports_progress_and_keeps_its_file(users: Any, media: Path) -> None:
    with override_settings(TASKS=IMMEDIATE):
        job = services.enqueue(
            users["city_staff"], "export", "导出单位", f"{HERE}.work_export", {"rows": 40}
        )
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.message) == ("done", 40, 40, "已导出 40 条记录。")
    assert job.task_id and job.started_at and job.finished_at
    assert services.result_path(job).read_bytes() == b"PK\x03\x04 rows"
    assert services.progress_of(job)["percent"] == 100
    assert not (media / "jobs" / "progress" / f"{job.pk}.json").exists()  # cleaned up


def test_a_failed_job_says_why_in_chinese_and_writes_nothing(
    users: Any, orgs: Any, media: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(services, "PROGRESS_EVERY_SECONDS", 0)  # every step is written
    org = orgs["wolong"]
    with override_settings(TASKS=IMMEDIATE):
        job = services.enqueue(
            users["city_staff"],
            "import",
            "导入单位",
            f"{HERE}.work_half_then_fail",
            {"org_id": org.pk},
        )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "第 2 行的单位已被注销，未写入任何数据；请核对后重新导入。"
    org.refresh_from_db()
    assert org.name != "改名（不应保留）"  # the write rolled back as a whole
    # Inside the write's transaction the progress reached the page (the file), not the row.
    assert (SEEN["mid"]["done"], SEEN["mid"]["total"], SEEN["mid"]["phase"]) == (1, 2, "写入")
    assert SEEN["mid"]["percent"] == 50 and SEEN["row_mid"] == 0
    assert services.result_path(job) is None


def test_an_internal_error_is_told_in_chinese_without_the_traceback(
    users: Any, media: Path
) -> None:
    job = Job.objects.create(
        owner=users["city_staff"], kind="x", label="x", target=f"{HERE}.work_crash"
    )
    assert services.run_job(job.pk) == "failed"
    job.refresh_from_db()
    assert job.error == services.INTERNAL_ERROR.format(pk=job.pk)
    assert "KeyError" not in job.error and "内部错误" in job.error
    assert services.run_job(job.pk) == "failed"  # a finished job is never run twice


@pytest.mark.django_db(transaction=True)
def test_progress_outside_a_transaction_is_also_on_the_row(users: Any, media: Path) -> None:
    job = Job.objects.create(owner=users["city_staff"], kind="x", label="x", target="x")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    progress = Progress(job.pk)
    progress.start("校验", total=1000)
    progress.step(1000)
    job.refresh_from_db()
    assert (job.done, job.total, job.phase) == (1000, 1000, "校验")
    assert services.progress_of(job)["percent"] == 99  # 100 only once it is done


def test_an_identical_pending_job_is_not_queued_twice(users: Any, media: Path) -> None:
    user = users["city_staff"]
    first = services.enqueue(
        user, "export", "导出", f"{HERE}.work_export", {"rows": 1}, dedupe_key="k"
    )
    again = services.enqueue(
        user, "export", "导出", f"{HERE}.work_export", {"rows": 1}, dedupe_key="k"
    )
    assert again.pk == first.pk and Job.objects.count() == 1
    assert first.status == JobStatus.QUEUED  # the database queue: the worker runs it


def test_a_user_has_a_limited_queue(users: Any, media: Path, settings: Any) -> None:
    settings.JOBS_MAX_PENDING_PER_USER = 2
    user = users["county_staff"]
    for n in range(2):
        services.enqueue(user, "export", f"导出 {n}", f"{HERE}.work_export", {"rows": n})
    with pytest.raises(ValidationError) as refused:
        services.enqueue(user, "export", "导出 3", f"{HERE}.work_export", {"rows": 3})
    assert refused.value.messages == [
        "您已有 2 个任务在排队或进行中（每人最多 2 个），请等其中的任务完成后再提交；"
        "进度可在“我的任务”或工作台查看。"
    ]
    assert Job.objects.filter(owner=user).count() == 2
    # another user's queue is their own
    services.enqueue(users["city_staff"], "export", "导出", f"{HERE}.work_export", {"rows": 1})


def test_my_jobs_lists_only_mine_and_the_progress_bar_has_no_style(
    users: Any, client_for: Any, media: Path
) -> None:
    mine = Job.objects.create(owner=users["city_staff"], kind="x", label="导入创新主体", target="x")
    Job.objects.create(owner=users["county_staff"], kind="x", label="别人的任务", target="x")
    Progress(mine.pk).start("写入", total=200)
    Progress(mine.pk).step(50, 200)
    page = client_for("city_staff").get("/jobs/").content.decode()
    assert "导入创新主体" in page and "别人的任务" not in page
    bar = client_for("city_staff").get(f"/jobs/{mine.pk}/progress/").content.decode()
    assert 'value="25"' in bar and "50 / 200（25%）" in bar and "style=" not in bar
    assert 'hx-trigger="every 1s"' in bar  # still polling while it is queued


def test_old_result_files_are_purged(users: Any, media: Path) -> None:
    folder = media / "jobs" / "files"
    folder.mkdir(parents=True)
    (folder / "9-old.xlsx").write_bytes(b"x")
    job = Job.objects.create(
        owner=users["city_staff"],
        kind="x",
        label="x",
        target="x",
        status=JobStatus.DONE,
        result_file="9-old.xlsx",
        result_name="old.xlsx",
    )
    assert services.purge_files(7) == 0  # not finished long ago
    Job.objects.filter(pk=job.pk).update(finished_at="2020-01-01T00:00:00Z")
    assert services.purge_files(7) == 1
    assert not (folder / "9-old.xlsx").exists()


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens its connection
def test_the_database_queue_and_worker_run_a_job(users: Any, media: Path) -> None:
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    job = services.enqueue(
        users["city_staff"], "export", "导出", f"{HERE}.work_export", {"rows": 20}
    )
    assert job.status == JobStatus.QUEUED and DBTaskResult.objects.filter(id=job.task_id).exists()
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    job.refresh_from_db()
    assert (job.status, job.done, job.message) == ("done", 20, "已导出 20 条记录。")
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"
