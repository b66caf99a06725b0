"""Enqueue a job, run it, report its progress, keep its result file.

A job's work is a callable named by its dotted path (`target`), called by the background worker
as `target(progress, **params)`; it returns a `JobResult` (a Chinese message, optionally a file).
The work writes in one transaction (an import's `commit_all`), so a failure leaves nothing
behind. Progress is written outside that transaction: to a small file next to the result files
(atomically replaced), and to the job row whenever no transaction is open. On SQLite a second
connection could not write the row while the import holds the write lock, and on PostgreSQL the
row written inside the transaction would stay invisible until it commits; the file is seen at
once by the page that polls, whatever the database.

Queue discipline (#17 item 8): an identical pending job (same owner, kind and `dedupe_key`) is
returned instead of queuing another, and a user has at most `JOBS_MAX_PENDING_PER_USER` jobs
queued or running.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from kechuang.core.imports.errors import ImportRefused
from kechuang.core.imports.table import FileProblem
from kechuang.core.jobs.models import PENDING, Job, JobStatus

logger = logging.getLogger(__name__)

INTERNAL_ERROR = (
    "任务执行时发生内部错误，未写入任何数据。请稍后重新提交；如仍失败，请联系市科技局管理员"
    "（错误编号：任务 {pk}）。"
)
PROGRESS_EVERY_SECONDS = 0.5  # the progress file is rewritten at most this often


class JobFailure(Exception):
    """Work that cannot be done, said in Chinese (what is wrong and how to fix it)."""


@dataclass(frozen=True)
class JobResult:
    message: str
    content: bytes | None = None  # a file to download
    filename: str = ""
    offer: dict[str, Any] | None = None  # the next step offered on the job's page (Job.offer)


def active_user(user_id: int) -> Any:
    """The user who asked for the job, still active; else the job fails, said in Chinese."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise JobFailure("提交任务的用户已停用或不存在，任务未执行。")
    return user


def jobs_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "jobs"


def _progress_path(pk: int) -> Path:
    return jobs_dir() / "progress" / f"{pk}.json"


def max_pending() -> int:
    return int(getattr(settings, "JOBS_MAX_PENDING_PER_USER", 3))


def queue_full_message(pending: int, limit: int, what: str = "任务") -> str:
    return (
        f"您已有 {pending} 个{what}在排队或进行中（每人最多 {limit} 个），"
        f"请等其中的{what}完成后再提交；进度可在“我的任务”或工作台查看。"
    )


# --- enqueue ----------------------------------------------------------------------------------


def pending_for(user: Any) -> Any:
    return Job.objects.filter(owner=user, status__in=PENDING)


def enqueue(
    user: Any,
    kind: str,
    label: str,
    target: str,
    params: dict[str, Any] | None = None,
    *,
    total: int = 0,
    dedupe_key: str = "",
) -> Job:
    """Queue `target(progress, **params)` for `user`; an identical pending job is returned
    instead of a new one. Raises ValidationError (Chinese) when the user's queue is full."""
    if dedupe_key:
        same = pending_for(user).filter(kind=kind, dedupe_key=dedupe_key).first()
        if same is not None:
            return same
    pending, limit = pending_for(user).count(), max_pending()
    if pending >= limit:
        raise ValidationError(queue_full_message(pending, limit))
    with transaction.atomic():
        job = Job.objects.create(
            owner=user,
            kind=kind,
            label=label[:200],
            target=target,
            params=params or {},
            total=total,
            dedupe_key=dedupe_key[:200],
        )
        # Imported here by name, so the task module (which imports this one) stays a leaf.
        run_task = import_string("kechuang.core.jobs.tasks.run_job")
        result = run_task.enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


# --- progress ---------------------------------------------------------------------------------


class Progress:
    """What a job's work calls to say how far it got (rows done of total, and the phase)."""

    def __init__(self, pk: int) -> None:
        self.pk = pk
        self.done = 0
        self.total = 0
        self.phase = ""
        self._written = 0.0

    def start(self, phase: str, total: int | None = None) -> None:
        self.phase, self.done = phase, 0
        if total is not None:
            self.total = total
        self._write(force=True)

    def step(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        self._write(force=done >= self.total)

    def advance(self, count: int) -> None:
        self.step(self.done + count)

    def _write(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._written < PROGRESS_EVERY_SECONDS:
            return
        self._written = now
        state = {"done": self.done, "total": self.total, "phase": self.phase}
        path = _progress_path(self.pk)
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_suffix(f".{os.getpid()}.tmp")
        scratch.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        os.replace(scratch, path)  # atomic: a reader sees the old state or the new one
        if not connection.in_atomic_block:  # autocommit: the row can say it too
            with contextlib.suppress(OperationalError):  # best effort: the file has said it
                Job.objects.filter(pk=self.pk).update(
                    done=self.done, total=self.total, phase=self.phase[:60]
                )


def progress_of(job: Job) -> dict[str, Any]:
    """{done, total, phase, percent} of `job`: the progress file while it runs, else the row."""
    state = {"done": job.done, "total": job.total, "phase": job.phase}
    if job.is_pending:
        with contextlib.suppress(OSError, ValueError):  # not written yet, or being replaced
            state.update(json.loads(_progress_path(job.pk).read_text(encoding="utf-8")))
    total, done = int(state["total"] or 0), int(state["done"] or 0)
    percent = min(99, done * 100 // total) if total else 0
    if job.status == JobStatus.DONE:
        percent = 100
    return {**state, "done": done, "total": total, "percent": percent}


# --- run --------------------------------------------------------------------------------------


def describe_failure(error: BaseException, pk: int) -> str:
    """Why a job failed, in Chinese: the work's own message, or an internal error's number."""
    if isinstance(error, JobFailure | ImportRefused | PermissionDenied):
        return str(error) or "您无权执行此操作。"
    if isinstance(error, FileProblem):
        return f"{error.problem}{error.fix}"
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return INTERNAL_ERROR.format(pk=pk)


def _claim(pk: int) -> Job | None:
    now = timezone.now()
    claimed = Job.objects.filter(pk=pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now
    )
    return Job.objects.get(pk=pk) if claimed else None


def _save_file(job: Job, result: JobResult) -> dict[str, str]:
    if result.content is None:
        return {}
    folder = jobs_dir() / "files"
    folder.mkdir(parents=True, exist_ok=True)
    suffix = Path(result.filename).suffix[:10] or ".bin"
    name = f"{job.pk}-{secrets.token_hex(8)}{suffix}"
    (folder / name).write_bytes(result.content)
    return {"result_file": name, "result_name": result.filename[:200] or name}


def _finish(pk: int, fields: dict[str, Any], attempts: int = 20) -> None:
    """Record the outcome, riding out a moment's lock by a reader (SQLite)."""
    for attempt in range(attempts):
        try:
            Job.objects.filter(pk=pk).update(**fields)
            return
        except OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.25)


def run_job(pk: int) -> str:
    """Run the queued job `pk` (called by the worker); returns its final status."""
    job = _claim(pk)
    if job is None:
        return Job.objects.filter(pk=pk).values_list("status", flat=True).first() or ""
    progress = Progress(pk)
    try:
        work = import_string(job.target)
        result = work(progress, **job.params)
        fields: dict[str, Any] = {"status": JobStatus.DONE, "message": result.message}
        fields.update(_save_file(job, result))
        if result.offer:
            fields["offer"] = result.offer
        fields.update(done=max(progress.done, progress.total), total=progress.total)
    except Exception as error:  # every failure is recorded on the job, in Chinese
        if not isinstance(error, JobFailure | ImportRefused | FileProblem | ValidationError):
            logger.exception("background job %s (%s) failed", pk, job.target)
        fields = {"status": JobStatus.FAILED, "error": describe_failure(error, pk)}
        fields.update(done=progress.done, total=progress.total)
    fields.update(finished_at=timezone.now(), phase=progress.phase[:60])
    _finish(pk, fields)
    _progress_path(pk).unlink(missing_ok=True)
    return str(fields["status"])


# --- the owner's views of it ------------------------------------------------------------------


def jobs_for(user: Any) -> Any:
    """The user's own jobs (nobody sees another's), newest first."""
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    return Job.objects.filter(owner=user)


def result_path(job: Job) -> Path | None:
    if not job.has_file or "/" in job.result_file or job.result_file.startswith("."):
        return None
    path = jobs_dir() / "files" / job.result_file
    return path if path.is_file() else None


def mark_seen(user: Any) -> int:
    """The user opened “我的任务”: finished jobs no longer wait on the workbench."""
    return (
        jobs_for(user)
        .filter(status__in=(JobStatus.DONE, JobStatus.FAILED), seen_at__isnull=True)
        .update(seen_at=timezone.now())
    )


def purge_files(older_than_days: int = 7) -> int:
    """Delete result files of jobs finished more than `older_than_days` ago."""
    limit = timezone.now() - dt.timedelta(days=older_than_days)
    count = 0
    for job in Job.objects.filter(finished_at__lt=limit).exclude(result_file=""):
        path = result_path(job)
        if path is not None:
            path.unlink(missing_ok=True)
            count += 1
        Job.objects.filter(pk=job.pk).update(result_file="")
    return count
