"""Excel round-trip pages: template download, upload → validation report → commit, export.

An upload is staged (`kechuang.core.imports.staging`) only between the dry run and the commit;
the commit claims it (so the same file committed twice is imported once) and validates it again,
so data changed in between cannot slip through. A file of more than `JOB_ROW_THRESHOLD` rows is
checked by a background job (its page offers the error workbook, or the commit) and committed by
another, and so is an export of more rows: the user is led to the job's page with its progress
bar (core/jobs).
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from kechuang.core.downloads import XLSX, attachment
from kechuang.core.imports import staging
from kechuang.core.imports.errors import ImportRefused
from kechuang.core.imports.table import estimate_rows
from kechuang.core.jobs import services as jobs
from kechuang.core.jobs.web import wants_background
from kechuang.core.permissions import WRITE_DATA
from kechuang.core.webcrud import filtered
from kechuang.registry.excel import exporter, importer, report, template
from kechuang.registry.excel.jobs import EXPORT_TARGET, IMPORT_TARGET, VALIDATE_TARGET
from kechuang.registry.excel.specs import UnknownRegistry, get_spec
from kechuang.registry.excel.template import AUX_SHEETS
from kechuang.registry.pages import PAGES


def _spec(code: str) -> Any:
    try:
        return get_spec(code)
    except UnknownRegistry as error:
        raise Http404("没有这个登记表。") from error


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    return attachment(content, filename, XLSX)


def _page(code: str) -> Any:
    return next((p for p in PAGES if p.excel == code), None)


@login_required
def download_template(request: HttpRequest, code: str) -> HttpResponse:
    spec = _spec(code)
    return _xlsx(template.build_template(code), f"{spec.title_zh}导入模板.xlsx")


@login_required
def export(request: HttpRequest, code: str) -> HttpResponse:
    spec, page = _spec(code), _page(code)
    if page is None:
        raise Http404
    queryset, errors, _ = filtered(request, page.resource)
    if errors:  # never export a misread filter: the whole registry would go out
        problems = "；".join(f"{m}" for ms in errors.values() for m in ms)
        return render(
            request,
            "core/error.html",
            {"status": 422, "title": "筛选条件有误，未导出", "message": problems},
            status=422,
        )
    if wants_background(request) or queryset.count() > _threshold():
        return _export_in_background(request, code, spec.title_zh)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx(
        exporter.export_xlsx(code, queryset, request.user), f"{spec.title_zh}-{stamp}.xlsx"
    )


def _threshold() -> int:
    return int(getattr(settings, "JOB_ROW_THRESHOLD", 2000))


def _export_in_background(request: HttpRequest, code: str, title: str) -> HttpResponse:
    query = {k: v for k, v in request.GET.items() if k not in ("page", "background")}
    shown = "（按筛选条件）" if any(v for k, v in query.items() if k != "ordering") else "（全部）"
    try:
        job = jobs.enqueue(
            request.user,
            "export",
            f"导出{title}{shown}",
            EXPORT_TARGET,
            {"code": code, "query": query, "user_id": request.user.pk},
            dedupe_key=f"{code}?{sorted(query.items())}",
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect("jobs:list")
    return redirect("jobs:detail", pk=job.pk)


def _show_report(request: HttpRequest, context: dict[str, Any], result: Any) -> HttpResponse:
    context["report"], context["error_rows"] = result, result.errors[:500]
    status = 422 if result.errors else 200
    return render(request, "registry/import.html", context, status=status)


def _validate_upload(request: HttpRequest, code: str, context: dict[str, Any]) -> HttpResponse:
    upload = request.FILES["file"]
    if upload.size > importer.MAX_UPLOAD_BYTES:
        # Refused before reading: the validator would say the same, after reading it all.
        result = importer.validate_upload(code, upload, request.user, filename=upload.name)
        return _show_report(request, context, result)
    content = upload.read()
    rows = estimate_rows(content, sheet=context["spec"].sheet_title, skip_sheets=AUX_SHEETS)
    if rows > _threshold():
        return _validate_in_background(request, code, content, upload.name, rows, context)
    result = importer.validate_upload(code, content, request.user, filename=upload.name)
    try:
        staging.stage(request.session, code, content, upload.name, rows=result.rows_total)
    except staging.StagingRefused as refused:
        context["upload_error"] = str(refused)
        return render(request, "registry/import.html", context, status=422)
    return _show_report(request, context, result)


def _validate_in_background(
    request: HttpRequest, code: str, content: bytes, name: str, rows: int, context: dict[str, Any]
) -> HttpResponse:
    """Stage the file and check it in the worker; the job's page shows the progress, then the
    error workbook or the commit button."""
    try:
        stored = staging.stage(request.session, code, content, name, rows=rows)
    except staging.StagingRefused as refused:
        context["upload_error"] = str(refused)
        return render(request, "registry/import.html", context, status=422)
    try:
        job = jobs.enqueue(
            request.user,
            "validate",
            f"校验{context['spec'].title_zh}：{name}（约 {rows} 行）",
            VALIDATE_TARGET,
            {"code": code, "path": str(stored.path), "name": name, "user_id": request.user.pk},
            total=rows,
            dedupe_key=staging.token_of(stored),
        )
    except ValidationError as error:  # the user's queue is full
        staging.discard(request.session, code)
        context["upload_error"] = "；".join(error.messages)
        return render(request, "registry/import.html", context, status=422)
    return redirect("jobs:detail", pk=job.pk)


def _commit(request: HttpRequest, code: str, context: dict[str, Any]) -> HttpResponse:
    if staging.replaced(request.session, code, request.POST.get("staged", "")):
        messages.error(request, staging.REPLACED)
        return redirect("registry:excel_import", code=code)
    try:
        stored = staging.claim(request.session, code)  # a second commit of the file stops here
    except ImportRefused as refused:
        messages.error(request, str(refused))
        return redirect("registry:excel_import", code=code)
    if int(stored.extra.get("rows") or 0) > _threshold():
        return _commit_in_background(request, code, stored, context)
    content = stored.read()
    stored.delete()
    result = importer.validate_upload(code, content, request.user, filename=stored.name)
    if result.errors:  # kept again for its error workbook
        staging.stage(request.session, code, content, stored.name, rows=result.rows_total)
        return _show_report(request, context, result)
    try:
        done = importer.commit(result, request.user)
    except ImportRefused as refused:
        messages.error(request, str(refused))
        return redirect("registry:excel_import", code=code)
    messages.success(request, f"导入完成：新增 {done.created} 条，更新 {done.updated} 条。")
    page = context["page"]
    return redirect(f"registry:{page.slug}_list") if page else redirect("core:home")


def _commit_in_background(
    request: HttpRequest, code: str, stored: staging.StagedUpload, context: dict[str, Any]
) -> HttpResponse:
    rows = int(stored.extra.get("rows") or 0)
    params = {"code": code, "path": str(stored.path), "name": stored.name}
    try:
        job = jobs.enqueue(
            request.user,
            "import",
            f"导入{context['spec'].title_zh}：{stored.name}（{rows} 行）",
            IMPORT_TARGET,
            {**params, "user_id": request.user.pk},
            total=rows,
        )
    except ValidationError as error:
        stored.delete()
        messages.error(request, "；".join(error.messages))
        return redirect("registry:excel_import", code=code)
    return redirect("jobs:detail", pk=job.pk)


@login_required
def import_view(request: HttpRequest, code: str) -> HttpResponse:
    spec = _spec(code)
    WRITE_DATA.check(request.user)
    context: dict[str, Any] = {"spec": spec, "code": code, "page": _page(code)}
    if request.method == "POST" and "file" in request.FILES:
        return _validate_upload(request, code, context)
    if request.method == "POST" and request.POST.get("action") == "commit":
        return _commit(request, code, context)
    if request.method == "POST":
        context["upload_error"] = "请选择要上传的 xlsx 文件。"
    return render(request, "registry/import.html", context)


@login_required
def error_report(request: HttpRequest, code: str) -> HttpResponse:
    spec = _spec(code)
    stored = staging.staged(request.session, code)
    if stored is None:
        raise Http404("没有可下载的校验报告，请重新上传。")
    content = stored.read()
    result = importer.validate_upload(code, content, request.user, filename=stored.name)
    return _xlsx(report.report_xlsx(result, content), f"{spec.title_zh}-校验报告.xlsx")
