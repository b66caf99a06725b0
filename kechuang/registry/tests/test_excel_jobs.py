"""Large imports and exports run as background jobs (core/jobs), the staged file is claimed once
(a second commit of it is told so in Chinese, never a 500), uploads stay within a quota and are
deleted when committed; a formula cell is reported, never dropped."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from kechuang.core.imports import staging
from kechuang.core.jobs.models import Job, JobStatus
from kechuang.core.jobs.services import run_job
from kechuang.registry.models import Organization
from kechuang.registry.tests.test_excel_import import make_xlsx, org_row
from kechuang.registry.tests.test_excel_views import upload

pytestmark = pytest.mark.django_db

IMPORT = "/registry/excel/organizations/import/"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.JOB_ROW_THRESHOLD = 2
    return tmp_path


def staged_files(media: Path) -> list[str]:
    folder = media / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_a_large_import_is_checked_then_committed_by_jobs_with_progress(
    client_for: Any, users: Any, media: Path
) -> None:
    client = client_for("county_staff")
    rows = [org_row(9100 + n) for n in range(5)]
    response = upload(client, make_xlsx("organizations", rows))
    check = Job.objects.get()  # the dry run itself is a job: nothing is read in the request
    assert response.status_code == 302 and response["Location"] == f"/jobs/{check.pk}/"
    assert (check.kind, check.status, check.total) == ("validate", "queued", 5)
    assert len(staged_files(media)) == 1
    page = client.get(f"/jobs/{check.pk}/").content.decode()
    assert "排队中" in page and "<progress" in page and "确认导入" not in page
    assert run_job(check.pk) == "done"
    check.refresh_from_db()
    assert check.message == (
        "校验通过：共 5 行，将新增 5 条，更新 0 条。确认导入后才会写入（整体生效）。"
    )
    assert (check.done, check.total, check.result_file) == (5, 5, "")
    assert check.offer["url"] == IMPORT and check.offer["fields"]["action"] == "commit"
    page = client.get(f"/jobs/{check.pk}/").content.decode()
    assert 'data-testid="job-offer"' in page and f'action="{IMPORT}"' in page
    assert not Organization.objects.filter(name__startswith="导入单位91").exists()
    response = client.post(IMPORT, check.offer["fields"])  # the job page's 确认导入 button
    job = Job.objects.exclude(pk=check.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.status, job.total, job.owner) == (
        "import",
        "queued",
        5,
        users["county_staff"],
    )
    assert not Organization.objects.filter(name__startswith="导入单位91").exists()  # not yet
    assert run_job(job.pk) == "done"  # what the worker does
    job.refresh_from_db()
    assert job.message == "导入完成：新增 5 条，更新 0 条。" and (job.done, job.total) == (5, 5)
    assert Organization.objects.filter(name__startswith="导入单位91").count() == 5
    assert staged_files(media) == []  # the claimed upload is deleted once committed
    home = client.get("/").content.decode()
    assert "已完成的后台任务" in home
    client.get("/jobs/")  # seen: no longer waiting on the workbench
    assert "已完成的后台任务" not in client.get("/").content.decode()


def test_a_large_upload_with_errors_offers_its_marked_up_workbook_from_the_job(
    client_for: Any, users: Any, media: Path
) -> None:
    client = client_for("county_staff")
    rows = [org_row(9150 + n) for n in range(4)] + [org_row(9160, 联系电话="12345")]
    with override_settings(TASKS=IMMEDIATE):
        response = upload(client, make_xlsx("organizations", rows))
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/" and job.status == JobStatus.DONE
    assert job.message.startswith("校验发现 1 个问题（共 5 行），未导入任何数据。")
    assert job.offer == {} and job.result_name == "创新主体-校验报告.xlsx"
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-testid="job-download"' in page and 'data-testid="job-offer"' not in page
    download = client.get(f"/jobs/{job.pk}/download/")
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    listing = book.worksheets[-1]
    texts = [str(c.value) for row in listing.iter_rows() for c in row if c.value is not None]
    assert "联系电话" in texts and any("12345" in t for t in texts)
    assert not Organization.objects.filter(name__startswith="导入单位91").exists()


def test_a_checked_file_replaced_by_a_newer_upload_is_not_committed(
    client_for: Any, users: Any, media: Path
) -> None:
    client = client_for("county_staff")
    with override_settings(TASKS=IMMEDIATE):
        upload(client, make_xlsx("organizations", [org_row(9170 + n) for n in range(3)]))
        first = Job.objects.get()
        upload(client, make_xlsx("organizations", [org_row(9180 + n) for n in range(3)]))
    first.refresh_from_db()
    assert first.status == JobStatus.DONE and Job.objects.count() == 2
    response = client.post(IMPORT, first.offer["fields"], follow=True)
    assert "该校验结果对应的文件已被之后的上传替换" in response.content.decode()
    assert Job.objects.filter(kind="import").count() == 0
    assert not Organization.objects.filter(name__startswith="导入单位91").exists()
    assert len(staged_files(media)) == 1  # the newer upload is still there to be committed


def test_a_full_queue_refuses_the_background_check_and_keeps_nothing(
    client_for: Any, users: Any, media: Path, settings: Any
) -> None:
    settings.JOBS_MAX_PENDING_PER_USER = 0
    response = upload(client_for("county_staff"), make_xlsx("organizations", [org_row(9190)] * 3))
    assert response.status_code == 422
    assert "每人最多 0 个" in response.content.decode()
    assert Job.objects.count() == 0 and staged_files(media) == []


def test_the_same_file_committed_twice_is_imported_once(
    client_for: Any, users: Any, media: Path, settings: Any
) -> None:
    settings.JOB_ROW_THRESHOLD = 2000  # in the request
    client = client_for("county_staff")
    upload(client, make_xlsx("organizations", [org_row(9201), org_row(9202)]))
    # Two simultaneous requests both start from the session that still names the file: the
    # second is replayed here with the session the first one started from.
    before = {k: v for k, v in client.session.items() if k.startswith("import-")}
    first = client.post(IMPORT, {"action": "commit"})
    assert first.status_code == 302
    store = client.session
    store.update(before)
    store.save()
    second = client.post(IMPORT, {"action": "commit"}, follow=True)
    assert second.status_code == 200
    assert staging.ALREADY_COMMITTED in second.content.decode()
    assert Organization.objects.filter(name__startswith="导入单位920").count() == 2
    assert staged_files(media) == []


def test_a_claim_is_atomic(media: Path) -> None:
    one: dict[str, Any] = {"_auth_user_id": "7"}
    staging.stage(one, "organizations", b"data", "a.xlsx", rows=1)
    two = dict(one)  # the same session, loaded by two requests at once
    claimed = staging.claim(one, "organizations")
    with pytest.raises(staging.ImportRefused) as refused:
        staging.claim(two, "organizations")
    assert str(refused.value) == staging.ALREADY_COMMITTED
    assert claimed.read() == b"data" and claimed.path.name.startswith("u7-")
    claimed.delete()
    assert staged_files(media) == []


def test_uploads_stay_within_the_users_quota(
    client_for: Any, users: Any, media: Path, settings: Any
) -> None:
    content = make_xlsx("organizations", [org_row(9301)])
    settings.STAGED_UPLOADS_QUOTA_BYTES = len(content) + 10
    client = client_for("county_staff")
    assert upload(client, content).status_code == 200
    assert upload(client, content).status_code == 200  # replaces the first: same purpose
    assert len(staged_files(media)) == 1
    refused = client.post(
        "/registry/excel/talents/import/",
        {"file": io.BytesIO(content)},
    )
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "超出每人 0 MB 的上限，本次上传未保存" in text
    assert len(staged_files(media)) == 1


def test_abandoned_uploads_are_purged(media: Path) -> None:
    session: dict[str, Any] = {"_auth_user_id": "3"}
    staged = staging.stage(session, "organizations", b"x" * 100, "a.xlsx")
    assert staging.purge(older_than_seconds=3600) == (0, 0)  # fresh
    assert staging.purge(older_than_seconds=-1) == (1, 100)
    assert not staged.path.exists()


def test_purge_command(media: Path) -> None:
    from django.core.management import call_command

    staging.stage({"_auth_user_id": "3"}, "x", b"abc", "a.xlsx")
    out = io.StringIO()
    call_command("purge_staged_uploads", "--hours", "-1", stdout=out)
    assert "已删除暂存上传文件 1 个" in out.getvalue()


def test_a_large_export_runs_as_a_job_and_only_its_owner_downloads_it(
    client_for: Any, orgs: Any, media: Path
) -> None:
    with override_settings(TASKS=IMMEDIATE):
        response = client_for("city_staff").get("/registry/excel/organizations/export.xlsx")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == JobStatus.DONE and job.message == f"已导出 {len(orgs)} 条记录。"
    download = client_for("city_staff").get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    assert sheet.max_row == len(orgs) + 1
    assert client_for("city_admin").get(f"/jobs/{job.pk}/download/").status_code == 404


def test_a_formula_cell_is_reported_not_dropped(client_for: Any, users: Any, media: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "创新主体"
    row = org_row(9401)
    sheet.append(list(row))
    values = list(row.values())
    values[4] = "=137*100000000+1234"  # 联系电话 as a formula: no computed value in the file
    sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client_for("county_staff"), buffer.getvalue())
    assert response.status_code == 422
    errors = response.context["report"].errors
    formula = [e for e in errors if "公式" in e.problem]
    assert [(e.row, e.column_header, e.value) for e in formula] == [(2, "联系电话", "E2")]
    assert "选择性粘贴" in formula[0].fix


def test_the_list_pages_export_button_asks_for_a_job_whatever_the_size(
    client_for: Any, orgs: Any, media: Path, settings: Any
) -> None:
    settings.JOB_ROW_THRESHOLD = 2000  # a small list: the plain URL answers the file at once
    client = client_for("city_staff")
    page = client.get("/registry/organizations/", {"name": "卧龙"}).content.decode()
    assert "/registry/excel/organizations/export.xlsx?name=%E5%8D%A7%E9%BE%99&amp;background=1" in (
        page
    )
    plain = client.get("/registry/excel/organizations/export.xlsx")
    assert plain.status_code == 200 and Job.objects.count() == 0
    with override_settings(TASKS=IMMEDIATE):
        response = client.get("/registry/excel/organizations/export.xlsx", {"background": "1"})
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/" and job.status == JobStatus.DONE
    assert job.label == "导出创新主体（全部）" and "background" not in job.params["query"]
    assert job.message == f"已导出 {len(orgs)} 条记录。"
