"""The Word monitoring report built by a background job: the page's button queues it, the owner
downloads the document from the job, a second click while it waits does not queue another."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from docx import Document

from kechuang.core.jobs.models import Job
from kechuang.core.jobs.services import run_job
from kechuang.monitoring.models import Plan
from kechuang.monitoring.tests.test_observation_pages import nanyang_plan  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "/monitoring/report.docx"
QUERY = {"plan": "nanyang-14", "year": "2024", "background": "1"}


def test_the_report_is_built_in_the_background(
    nanyang_plan: Plan,  # noqa: F811
    client_for: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    staff = client_for("city_staff")
    response = staff.get(URL, QUERY)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert staff.get(URL, QUERY)["Location"] == f"/jobs/{job.pk}/"  # not queued twice
    assert client_for("county_staff").get(URL, QUERY).status_code == 403
    assert run_job(job.pk) == "done"
    job.refresh_from_db()
    assert job.message == f"{nanyang_plan.title} 2024 年监测报告已生成。"
    download = staff.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    document = Document(io.BytesIO(b"".join(download.streaming_content)))
    assert any("规划实施情况监测报告" in p.text for p in document.paragraphs)
    assert client_for("city_admin").get(f"/jobs/{job.pk}/download/").status_code == 404


def test_a_report_that_cannot_be_built_fails_in_chinese(
    nanyang_plan: Plan,  # noqa: F811
    client_for: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ):
        client_for("city_staff").get(URL, {**QUERY, "year": "2040"})
    job = Job.objects.get()
    assert (job.status, job.error) == ("failed", "年份应在规划期 2021–2025 年之内。")
