"""A published list's Word and Excel files as background jobs: the page's links ask signed-in
users with `background=1`, the plain URLs (and the public's links) still answer the file."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from docx import Document
from openpyxl import load_workbook

from kechuang.core.jobs.models import Job, JobStatus
from kechuang.market import services
from kechuang.market.tests.test_pages import DEMAND

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def published(market: dict, users: dict, wolong: Any, settings: Any, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return services.issue_list(users["city_staff"], "demands", [market["demand"].pk], wolong)


def test_a_signed_in_users_links_build_the_files_in_the_background(
    client_for: Callable[[str], Any], published: Any
) -> None:
    client = client_for("county_staff")
    page = client.get(f"/market/lists/{published.pk}/").content.decode()
    assert f'/market/lists/{published.pk}/list.docx?background=1"' in page
    assert f'/market/lists/{published.pk}/list.xlsx?background=1"' in page
    with override_settings(TASKS=IMMEDIATE):
        word = client.get(f"/market/lists/{published.pk}/list.docx", {"background": "1"})
        excel = client.get(f"/market/lists/{published.pk}/list.xlsx", {"background": "1"})
    jobs = {job.params["file_format"]: job for job in Job.objects.all()}
    assert word["Location"] == f"/jobs/{jobs['docx'].pk}/"
    assert excel["Location"] == f"/jobs/{jobs['xlsx'].pk}/"
    assert all(job.status == JobStatus.DONE for job in jobs.values())
    assert jobs["docx"].message == "“第1期技术需求清单”的 Word 文件已生成（共 1 项）。"
    assert jobs["xlsx"].result_name == "第1期技术需求清单.xlsx"
    docx = client.get(f"/jobs/{jobs['docx'].pk}/download/")
    document = Document(io.BytesIO(b"".join(docx.streaming_content)))
    assert document.tables[0].rows[1].cells[1].text == DEMAND["title"]
    xlsx = client.get(f"/jobs/{jobs['xlsx'].pk}/download/")
    assert (
        load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active["B2"].value
        == (DEMAND["title"])
    )


def test_the_public_gets_the_file_at_once(client_for: Callable[[str], Any], published: Any) -> None:
    anonymous = client_for("anonymous")
    page = anonymous.get(f"/market/lists/{published.pk}/").content.decode()
    assert "background=1" not in page
    answer = anonymous.get(f"/market/lists/{published.pk}/list.docx", {"background": "1"})
    assert answer.status_code == 200 and answer["Content-Disposition"].startswith("attachment")
    assert Job.objects.count() == 0
