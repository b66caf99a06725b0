"""In the browser (#11 item 4): a large organizations import and the whole-city export run in
the background — the page shows a progress bar (rows done / total) that moves, then the result
and the download; nothing runs inside the web request. The worker here is a thread of the test
with its own database connection, as `manage.py db_worker` is a process of its own.

The dry run of the upload is a job too (its page offers 确认导入 when the file is clean), then
the commit is another. Size: ROWS rows (100,000 rows take about 20 s to validate and 30 s to
commit on the 2-core test machine, beyond this test's one-minute budget —
`bench/bench_import.py` measures that size). Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Page

from kechuang.conftest import REPO, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = 20_000
SHOTS = REPO / "var" / "screenshots"


@pytest.fixture
def worker(settings: Any, tmp_path: Path) -> Iterator[None]:
    """Runs queued jobs as the database worker would, in its own thread and connection."""
    from kechuang.core.jobs.models import Job, JobStatus
    from kechuang.core.jobs.services import run_job

    settings.MEDIA_ROOT = tmp_path
    stop = threading.Event()

    def loop() -> None:
        try:
            while not stop.is_set():
                queued = list(
                    Job.objects.filter(status=JobStatus.QUEUED).values_list("pk", flat=True)
                )
                for pk in queued:
                    run_job(pk)
                time.sleep(0.3)
        finally:
            connection.close()

    thread = threading.Thread(target=loop, name="job-worker", daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(60)


def organizations_workbook(rows: int) -> bytes:
    """The organizations template filled with `rows` valid rows (write-only, fast)."""
    from openpyxl import Workbook

    from kechuang.conftest import make_uscc
    from kechuang.registry.excel.specs import get_spec

    spec = get_spec("organizations")
    headers = [column.header_zh for column in spec.data_columns]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(spec.sheet_title)
    sheet.append(headers)
    for n in range(rows):
        row = {
            "统一社会信用代码": make_uscc(500_000 + n),
            "单位名称": f"后台导入单位{n:06d}（演示）",
            "单位类型": "企业",
            "所在区域": "卧龙区",
            "联系电话": f"139{n:08d}",
        }
        sheet.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _watch(page: Page, job_selector: str, timeout: float = 90) -> list[int]:
    """The progress bar's values seen until the job is done (failing on a failed job)."""
    seen: list[int] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        box = page.locator(job_selector)
        status = box.get_attribute("data-status")
        bar = box.locator("progress")
        if bar.count():
            seen.append(int(bar.get_attribute("value") or 0))
        if status == "done":
            return seen
        assert status != "failed", box.inner_text()
        page.wait_for_timeout(400)
    raise AssertionError(f"the job did not finish in {timeout} s; progress seen: {seen}")


def test_a_large_import_and_the_city_export_run_in_the_background(
    page: Page, users: Any, worker: None, tmp_path: Path
) -> None:
    from kechuang.registry.models import Organization

    workbook = tmp_path / "organizations.xlsx"
    workbook.write_bytes(organizations_workbook(ROWS))
    SHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, "city_staff")

    page.goto("/registry/excel/organizations/import/")
    page.locator("input[type=file]").set_input_files(str(workbook))
    with page.expect_navigation(timeout=30_000):
        page.get_by_role("button", name="上传并校验").click()
    assert "/jobs/" in page.url  # the upload came back at once: the worker checks the file
    seen = _watch(page, ".kc-job")
    page.screenshot(path=str(SHOTS / "job-validate-done.png"), full_page=True)
    assert f"校验通过：共 {ROWS} 行，将新增 {ROWS} 条" in page.locator(".kc-job").inner_text()
    with page.expect_navigation():
        page.get_by_test_id("job-offer").get_by_role("button", name="确认导入").click()
    assert "/jobs/" in page.url  # the commit came back at once: the worker does the rest
    job = page.locator(".kc-job")
    assert job.get_attribute("data-status") in ("queued", "running")
    page.screenshot(path=str(SHOTS / "job-import-progress.png"), full_page=True)
    seen = _watch(page, ".kc-job")
    page.screenshot(path=str(SHOTS / "job-import-done.png"), full_page=True)
    assert seen[-1] == 100 and any(0 < value < 100 for value in seen), seen
    assert f"导入完成：新增 {ROWS} 条，更新 0 条。" in job.inner_text()
    assert Organization.objects.filter(name__startswith="后台导入单位").count() == ROWS

    page.goto("/registry/excel/organizations/export.xlsx")  # the whole city
    assert "/jobs/" in page.url
    seen = _watch(page, ".kc-job")
    page.screenshot(path=str(SHOTS / "job-export-done.png"), full_page=True)
    assert seen[-1] == 100
    total = Organization.objects.count()
    assert f"已导出 {total} 条记录。" in page.locator(".kc-job").inner_text()
    with page.expect_download() as download:
        page.get_by_test_id("job-download").click()
    assert download.value.suggested_filename.startswith("创新主体-")

    page.goto("/jobs/")
    assert page.locator(".kc-job[data-status=done]").count() == 3  # check, commit, export
