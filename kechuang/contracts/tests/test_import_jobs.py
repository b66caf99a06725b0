"""A contract file above JOB_ROW_THRESHOLD rows is checked and imported by a background job
(core/jobs): the upload comes back at once, nothing is written until the job runs, a refused
file's marked-up workbook is the job's file, and 只校验 checks without writing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import load_workbook

from kechuang.contracts.models import TechContract
from kechuang.contracts.tests.test_import import HEADER, line
from kechuang.core.jobs.models import Job, JobStatus
from kechuang.core.jobs.services import run_job

pytestmark = pytest.mark.django_db
IMPORT = "/contracts/import/"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.JOB_ROW_THRESHOLD = 2
    return tmp_path


def post(client: Any, lines: list[str], **extra: str) -> Any:
    content = ("\n".join([HEADER, *lines]) + "\n").encode("utf-8")
    return client.post(IMPORT, {"file": SimpleUploadedFile("合同.csv", content), **extra})


def leftovers(media: Path) -> list[str]:
    folder = media / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


LINES = [line(f"2024411303{n:06d}", "100") for n in range(1, 6)]


def test_a_large_file_is_imported_by_a_job(client_for: Any, users: Any, media: Path) -> None:
    client = client_for("city_staff")
    response = post(client, LINES)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.status, job.total, job.owner) == (
        "import",
        "queued",
        5,
        users["city_staff"],
    )
    assert TechContract.objects.count() == 0 and len(leftovers(media)) == 1
    assert run_job(job.pk) == "done"
    job.refresh_from_db()
    assert job.message == "已导入：新增 5 份，变更 0 份。" and (job.done, job.total) == (5, 5)
    numbers = sorted(TechContract.objects.values_list("registration_no", flat=True))
    assert numbers == [f"2024411303{n:06d}" for n in range(1, 6)]
    assert leftovers(media) == []


def test_a_refused_file_offers_its_marked_workbook_and_writes_nothing(
    client_for: Any, users: Any, media: Path
) -> None:
    client = client_for("city_staff")
    bad = [*LINES[:4], line("2024411303000009", "abc")]
    with override_settings(TASKS=IMMEDIATE):
        post(client, bad)
    job = Job.objects.get()
    assert job.status == JobStatus.DONE
    assert job.message.startswith("校验发现 1 处错误（共 5 行），未导入任何数据。")
    assert job.result_name == "校验结果-合同.csv.xlsx"
    download = client.get(f"/jobs/{job.pk}/download/")
    listing = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    rows = [[c.value for c in row] for row in listing.iter_rows(min_row=2)]
    assert [(r[0], r[1]) for r in rows] == [(6, "合同成交额（万元）（N 列）")]
    assert TechContract.objects.count() == 0 and leftovers(media) == []


def test_only_checking_a_large_file_writes_nothing(
    client_for: Any, users: Any, media: Path
) -> None:
    with override_settings(TASKS=IMMEDIATE):
        post(client_for("city_staff"), LINES, dry_run="1")
    job = Job.objects.get()
    assert job.label == "校验技术合同：合同.csv（约 5 行）"
    assert job.message == "校验通过：5 行，将新增 5 份、变更 0 份（只校验，未写入）。"
    assert TechContract.objects.count() == 0 and leftovers(media) == []


def test_a_full_queue_is_told_and_keeps_nothing(
    client_for: Any, users: Any, media: Path, settings: Any
) -> None:
    settings.JOBS_MAX_PENDING_PER_USER = 0
    client = client_for("city_staff")
    response = post(client, LINES)
    assert response.status_code == 302 and response["Location"] == IMPORT
    assert "每人最多 0 个" in client.get(IMPORT).content.decode()
    assert Job.objects.count() == 0
    assert leftovers(media) == [] and TechContract.objects.count() == 0
