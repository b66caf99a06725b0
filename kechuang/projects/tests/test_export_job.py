"""The projects' Excel export as a background job: the dashboard's button asks with
`background=1`, the plain URL still answers the file; the job exports the user's own scope."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from kechuang.core.jobs.models import Job, JobStatus
from kechuang.core.jobs.services import run_job

pytestmark = pytest.mark.django_db
URL = "/projects/export.xlsx"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_the_dashboards_button_exports_in_the_background(
    client_for: Any, users: dict[str, Any], running: Any
) -> None:
    client = client_for("city_staff")
    assert f'href="{URL}?background=1"' in client.get("/projects/dashboard/").content.decode()
    with override_settings(TASKS=IMMEDIATE):
        response = client.get(URL, {"background": "1"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.status, job.message) == ("export", JobStatus.DONE, "科技项目已导出。")
    assert job.result_name.startswith("科技项目-") and job.result_name.endswith(".xlsx")
    download = client.get(f"/jobs/{job.pk}/download/")
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    rows = list(book["科技项目"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [running.title]
    plain = client.get(URL)
    assert plain.status_code == 200 and Job.objects.count() == 1


def test_a_user_who_lost_the_right_is_told_in_chinese(
    client_for: Any, users: dict[str, Any], running: Any
) -> None:
    client_for("county_staff").get(URL, {"background": "1"})
    job = Job.objects.get()
    staff = users["county_staff"]
    staff.role = "enterprise"
    staff.save()
    assert run_job(job.pk) == "failed"
    job.refresh_from_db()
    assert job.error == "项目看板和导出仅向市科技局和县区工作人员开放。导出未执行。"
    assert client_for("enterprise").get(URL, {"background": "1"}).status_code == 403
    assert Job.objects.count() == 1
