"""A large observation file (above JOB_ROW_THRESHOLD rows) is checked, then committed, by
background jobs (core/jobs): the upload and the commit come back at once, the job's page offers
the error list or 确认导入, and nothing is written before the commit job runs."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import load_workbook

from kechuang.core.jobs.models import Job, JobStatus
from kechuang.core.jobs.services import run_job
from kechuang.monitoring.models import Observation, Plan
from kechuang.monitoring.tests.test_observation_pages import (  # noqa: F401
    HEADER,
    nanyang_plan,
    upload_dir,
)

pytestmark = pytest.mark.django_db
IMPORT = "/monitoring/observations/import/"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ROWS = [
    f"hnte_count,南阳市,{year},{300 + 10 * n},正式数,{year + 1}-04-01,{year} 年统计公报"
    for n, year in enumerate(range(2019, 2024))
]


@pytest.fixture(autouse=True)
def low_threshold(settings: Any) -> None:
    settings.JOB_ROW_THRESHOLD = 2


def csv_upload(client: Any, rows: list[str], name: str = "监测值.csv") -> Any:
    content = ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(IMPORT, {"file": upload, "plan": "nanyang-14"})


def test_a_large_file_is_checked_then_committed_by_jobs(
    nanyang_plan: Plan,  # noqa: F811
    client_for: Any,
    users: Any,
    upload_dir: Path,  # noqa: F811
) -> None:
    client = client_for("city_staff")
    response = csv_upload(client, ROWS)
    check = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{check.pk}/"
    assert (check.kind, check.status, check.total) == ("validate", "queued", 5)
    assert len(list(upload_dir.iterdir())) == 1
    assert run_job(check.pk) == "done"
    check.refresh_from_db()
    assert check.message == (
        "校验通过：共 5 行，将新增 5 条，已存在未变 0 条，其中 0 条将因来源不一致标为冲突。"
        "确认导入后才会写入（整体生效）。"
    )
    assert (check.done, check.total) == (5, 5)
    assert check.offer["url"] == IMPORT + "?plan=nanyang-14"
    assert Observation.objects.count() == 0
    page = client.get(f"/jobs/{check.pk}/").content.decode()
    assert 'data-testid="job-offer"' in page and "确认导入" in page
    response = client.post(check.offer["url"], check.offer["fields"])
    job = Job.objects.exclude(pk=check.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.status, job.owner) == ("import", "queued", users["city_staff"])
    assert Observation.objects.count() == 0  # not yet
    assert run_job(job.pk) == "done"
    job.refresh_from_db()
    assert job.message == "导入完成：新增 5 条监测值（0 条已存在未变），其中 0 条来源冲突待核实。"
    assert (job.done, job.total) == (5, 5)
    values = sorted(Observation.objects.values_list("value", flat=True))
    assert [int(v) for v in values] == [300, 310, 320, 330, 340]
    assert list(upload_dir.iterdir()) == []  # the claimed file is deleted once committed
    again = client.post(check.offer["url"], check.offer["fields"], follow=True)
    assert "该校验结果对应的文件已被之后的上传替换（或已导入）" in again.content.decode()
    assert Observation.objects.count() == 5


def test_a_large_file_with_errors_offers_its_error_list_and_writes_nothing(
    nanyang_plan: Plan,  # noqa: F811
    client_for: Any,
    users: Any,
) -> None:
    client = client_for("city_staff")
    bad = [*ROWS[:4], "hnte_count,南阳市,2024,350,正式数,2025-04-01,"]
    with override_settings(TASKS=IMMEDIATE):
        response = csv_upload(client, bad)
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/" and job.status == JobStatus.DONE
    assert job.message.startswith("校验发现 1 个问题（共 5 行），未导入任何数据。")
    assert job.offer == {} and job.result_name == "监测值校验结果-监测值.xlsx"
    download = client.get(f"/jobs/{job.pk}/download/")
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    listing = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [(r[0], r[1]) for r in listing] == [(6, "来源（G 列）")]
    assert "必填" in listing[0][3]
    assert Observation.objects.count() == 0


def test_a_newer_upload_replaces_the_checked_file(
    nanyang_plan: Plan,  # noqa: F811
    client_for: Any,
    users: Any,
    upload_dir: Path,  # noqa: F811
) -> None:
    client = client_for("county_staff")
    rows = [r.replace("南阳市", "卧龙区") for r in ROWS]
    with override_settings(TASKS=IMMEDIATE):
        csv_upload(client, rows)
        first = Job.objects.get()
        csv_upload(client, rows[:3], name="第二次.csv")
    first.refresh_from_db()
    assert first.status == JobStatus.DONE and first.offer["label"] == "确认导入"
    response = client.post(first.offer["url"], first.offer["fields"], follow=True)
    assert "该校验结果对应的文件已被之后的上传替换" in response.content.decode()
    assert Observation.objects.count() == 0 and Job.objects.filter(kind="import").count() == 0
    assert len(list(upload_dir.iterdir())) == 1


def test_a_small_file_is_still_checked_in_the_request(
    nanyang_plan: Plan,  # noqa: F811
    client_for: Any,
    users: Any,
    settings: Any,
) -> None:
    settings.JOB_ROW_THRESHOLD = 2000
    response = csv_upload(client_for("city_staff"), ROWS)
    assert response.status_code == 200 and response.context["report"].to_create == 5
    assert Job.objects.count() == 0
