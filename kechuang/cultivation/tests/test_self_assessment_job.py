"""The self-assessment Word report as a background job: the page's button asks with
`background=1` (the plain download is unchanged), the what-if figures go with the job, only the
owner downloads the document, and an organization out of scope fails in Chinese."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from kechuang.core.jobs.models import Job, JobStatus
from kechuang.core.jobs.services import run_job
from kechuang.cultivation.tests.test_self_assessment import enterprise  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "/cultivation/self-assessment/"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def docx_text(response: Any) -> str:
    document = Document(io.BytesIO(b"".join(response.streaming_content)))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_pages_button_builds_the_report_in_the_background(
    client_for: Any,
    enterprise: Any,  # noqa: F811
) -> None:
    client = client_for("enterprise")
    page = client.get(URL).content.decode()
    assert 'data-testid="self-assessment-docx"' in page
    assert f"?organization={enterprise.uscc}&amp;background=1" in page
    response = client.post(
        f"{URL}?organization={enterprise.uscc}&background=1",
        {"action": "docx", "y2_st_staff_avg": "20", "advancement": "A"},
    )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.kind == "report" and job.params["what_if"] == {
        "y2_st_staff_avg": "20",
        "advancement": "A",
    }
    assert job.label == f"{enterprise.name} 认定自评报告（Word，模拟测算）"
    assert run_job(job.pk) == "done"
    job.refresh_from_db()
    assert job.message == f"{enterprise.name}的认定自评报告已生成。"
    assert job.result_name == f"{enterprise.name}-认定自评.docx"
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    text = docx_text(download)
    assert f"{enterprise.name} 认定条件自评报告" in text and "未通过" in text
    assert client_for("city_staff").get(f"/jobs/{job.pk}/download/").status_code == 404


def test_the_plain_download_is_unchanged_and_a_get_is_queued_once(
    client_for: Any,
    enterprise: Any,  # noqa: F811
) -> None:
    client = client_for("enterprise")
    plain = client.get(URL, {"format": "docx"})
    assert plain.status_code == 200 and plain["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert Job.objects.count() == 0
    first = client.get(URL, {"format": "docx", "background": "1"})
    second = client.get(URL, {"format": "docx", "background": "1"})
    job = Job.objects.get()
    assert first["Location"] == second["Location"] == f"/jobs/{job.pk}/"
    assert job.params["what_if"] is None


def test_an_organization_out_of_scope_fails_in_chinese(
    client_for: Any,
    enterprise: Any,  # noqa: F811
) -> None:
    client = client_for("city_staff")
    client.get(URL, {"organization": enterprise.uscc, "format": "docx", "background": "1"})
    job = Job.objects.get()
    enterprise.kind = "institution"  # no longer an enterprise: nothing to assess
    enterprise.save()
    assert run_job(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "该企业已不在您的查看范围内（或已删除），自评报告未生成。"
