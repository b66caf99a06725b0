"""Access matrix of “我的任务”: every signed-in user has their own list; a job's page, its progress
and its file answer only its owner (the enterprise user here) — everybody else, the city
administrator included, gets 404 as if the job did not exist."""

from __future__ import annotations

from typing import Any

import pytest

from kechuang.core.tests.permissions import ROLES, Row, check_row, row

pytestmark = pytest.mark.django_db

SIGNED_IN = {r: 200 for r in ROLES if r != "anonymous"}
OWNER_ONLY = {r: (200 if r == "enterprise" else 404) for r in ROLES if r != "anonymous"}

ROWS = [
    row("GET", "/jobs/", anonymous=302, **SIGNED_IN),
    row("GET", "/jobs/{job}/", anonymous=302, **OWNER_ONLY),
    row("GET", "/jobs/{job}/progress/", anonymous=302, **OWNER_ONLY),
    row("GET", "/jobs/{job}/download/", anonymous=302, **OWNER_ONLY),
]


@pytest.fixture
def context(users: dict[str, Any], settings: Any, tmp_path: Any) -> dict[str, Any]:
    from kechuang.core.jobs.models import Job, JobStatus

    settings.MEDIA_ROOT = tmp_path
    folder = tmp_path / "jobs" / "files"
    folder.mkdir(parents=True)
    (folder / "1-abc.xlsx").write_bytes(b"PK\x03\x04 the enterprise's export")
    job = Job.objects.create(
        owner=users["enterprise"],
        kind="export",
        label="导出创新主体（全部）",
        target="kechuang.registry.excel.jobs.export_list",
        status=JobStatus.DONE,
        result_file="1-abc.xlsx",
        result_name="创新主体.xlsx",
    )
    return {"job": job.pk}


@pytest.mark.parametrize("r", ROWS, ids=Row.label)
def test_jobs_access(client_for: Any, context: dict[str, Any], r: Row) -> None:
    check_row(client_for, context, r)
