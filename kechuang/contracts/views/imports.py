"""The import page (validate, then commit all-or-nothing) and its template workbook with
Chinese headers and a 填写说明 sheet. A file of more than `JOB_ROW_THRESHOLD` rows is checked
and imported by a background job (core/jobs): the user is led to its progress bar."""

from __future__ import annotations

import contextlib
import io

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from openpyxl import Workbook
from openpyxl.styles import Font

from kechuang.contracts import imports
from kechuang.contracts.engine import CATEGORIES, SUBCATEGORIES
from kechuang.contracts.jobs import IMPORT_TARGET
from kechuang.contracts.permissions import IMPORT_CONTRACTS
from kechuang.core.downloads import XLSX, attachment
from kechuang.core.imports import staging
from kechuang.core.imports.errors import ImportRefused
from kechuang.core.imports.staging import StagingRefused, stage, staged
from kechuang.core.imports.table import FileProblem, estimate_rows, read_upload
from kechuang.core.imports.workbook import error_workbook
from kechuang.core.jobs import services as jobs
from kechuang.core.permissions import requires

STAGE = "contracts"
EXAMPLE = [
    "2024411303000001",
    "技术开发",
    "委托开发",
    "示例：智能控制系统开发",
    "",
    "示例单位",
    "卧龙区",
    "",
    "示例买方",
    "",
    "湖北省武汉市",
    "2024-03-01",
    "2024-03-15",
    "100",
    "30",
    "电子信息",
    "registered",
]


@requires(IMPORT_CONTRACTS)
def import_page(request: HttpRequest) -> HttpResponse:
    report = None
    if request.method == "POST" and request.FILES.get("file"):
        upload = request.FILES["file"]
        try:
            content = read_upload(upload)
        except FileProblem as problem:
            messages.error(request, f"{problem.problem}{problem.fix}")
            return redirect("contracts:import")
        rows = estimate_rows(content)
        if rows > int(getattr(settings, "JOB_ROW_THRESHOLD", 2000)):
            return _in_background(request, content, upload.name, rows)
        report = imports.validate_file(request.user, content, upload.name)
        if not report.ok:  # kept (within the user's quota) for its marked-up error workbook
            with contextlib.suppress(StagingRefused):
                stage(request.session, STAGE, content, upload.name)
        if report.ok and not request.POST.get("dry_run"):
            try:
                result = imports.commit(request.user, report)
            except ImportRefused as refused:
                messages.error(request, str(refused))
            else:
                messages.success(
                    request, f"已导入：新增 {result.created} 份，变更 {result.changed} 份。"
                )
                return redirect("contracts:list")
    return render(
        request,
        "contracts/import.html",
        {"report": report, "headers": imports.HEADERS_ZH},
        status=422 if report is not None and not report.ok else 200,
    )


def _in_background(request: HttpRequest, content: bytes, name: str, rows: int) -> HttpResponse:
    """Keep the file (within the user's quota) for a job that checks it and, unless only a
    check was asked for, imports it; the job deletes it when done."""
    dry_run = bool(request.POST.get("dry_run"))
    try:
        stage(request.session, STAGE, content, name)
        stored = staging.claim(request.session, STAGE)
    except ImportRefused as refused:  # over the quota
        messages.error(request, str(refused))
        return redirect("contracts:import")
    what = "校验" if dry_run else "导入"
    try:
        job = jobs.enqueue(
            request.user,
            "import",
            f"{what}技术合同：{name}（约 {rows} 行）",
            IMPORT_TARGET,
            {
                "path": str(stored.path),
                "name": name,
                "user_id": request.user.pk,
                "dry_run": dry_run,
            },
            total=rows,
        )
    except ValidationError as error:  # the user's queue is full
        stored.delete()
        messages.error(request, "；".join(error.messages))
        return redirect("contracts:import")
    return redirect("jobs:detail", pk=job.pk)


@requires(IMPORT_CONTRACTS)
def import_report(request: HttpRequest) -> HttpResponse:
    """The user's last refused file with every bad cell marked, and the list of errors."""
    upload = staged(request.session, STAGE)
    if upload is None:
        raise Http404("没有待下载的校验结果，请先上传文件。")
    content = upload.read()
    report = imports.validate_file(request.user, content, upload.name)
    workbook = error_workbook(report.errors, report.header_columns, report.sheet_title, content)
    return attachment(workbook, f"校验结果-{upload.name}.xlsx", XLSX)


@requires(IMPORT_CONTRACTS)
def template(request: HttpRequest) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "技术合同"
    sheet.append(list(imports.HEADERS_ZH.values()))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(EXAMPLE)
    guide = workbook.create_sheet("填写说明")
    guide.append(["列", "字段", "说明"])
    notes = {
        "category": "、".join(CATEGORIES.values()),
        "subcategory": "；".join(
            f"{CATEGORIES[c]}：{'、'.join(s.values())}" for c, s in SUBCATEGORIES.items()
        ),
        "total_amount": "万元",
        "non_technical_costs": "万元：购置设备、仪器、零部件、原材料等；合理数量的技术载体不计入",
        "buyer_region": "买方不在南阳市时填写其所在省、市",
        "status": "registered（已登记）、changed（已变更）或 cancelled（已注销）；"
        "同一登记编号的后一行视为变更",
    }
    for column, zh in imports.HEADERS_ZH.items():
        guide.append([zh, column, notes.get(column, "")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return attachment(buffer.getvalue(), "技术合同导入模板.xlsx", XLSX)
