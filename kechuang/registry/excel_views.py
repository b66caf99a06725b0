"""Excel round-trip pages: template download, upload → validation report → commit, export.

An upload is kept (under var/media/imports, named by a random token held in the user's session)
only between the dry run and the commit; the commit validates the file again, so data changed in
between cannot slip through.
"""

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from kechuang.core.downloads import XLSX, attachment
from kechuang.core.permissions import WRITE_DATA
from kechuang.core.webcrud import filtered
from kechuang.registry.pages import PAGES

UPLOAD_DIR = settings.MEDIA_ROOT / "imports"


def _spec(code: str) -> Any:
    from kechuang.registry.excel.specs import UnknownRegistry, get_spec

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
    from kechuang.registry.excel import template

    spec = _spec(code)
    return _xlsx(template.build_template(code), f"{spec.title_zh}导入模板.xlsx")


@login_required
def export(request: HttpRequest, code: str) -> HttpResponse:
    from kechuang.registry.excel import exporter

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
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx(
        exporter.export_xlsx(code, queryset, request.user), f"{spec.title_zh}-{stamp}.xlsx"
    )


def _stored(request: HttpRequest, code: str) -> Path | None:
    token = request.session.get(f"import-{code}")
    if not token:
        return None
    path = UPLOAD_DIR / f"{token}.xlsx"
    return path if path.exists() else None


@login_required
def import_view(request: HttpRequest, code: str) -> HttpResponse:
    from kechuang.registry.excel import importer

    spec = _spec(code)
    WRITE_DATA.check(request.user)
    context: dict[str, Any] = {"spec": spec, "code": code, "page": _page(code)}
    if request.method == "POST" and "file" in request.FILES:
        upload = request.FILES["file"]
        if upload.size > importer.MAX_UPLOAD_BYTES:
            # Refused before reading: the validator would say the same, after reading it all.
            result = importer.validate_upload(code, upload, request.user, filename=upload.name)
            context["report"], context["error_rows"] = result, result.errors[:500]
            return render(request, "registry/import.html", context, status=422)
        content = upload.read()
        result = importer.validate_upload(code, content, request.user, filename=upload.name)
        context["report"], context["error_rows"] = result, result.errors[:500]
        UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
        token = secrets.token_urlsafe(16)
        (UPLOAD_DIR / f"{token}.xlsx").write_bytes(content)
        previous = request.session.get(f"import-{code}")
        if previous:
            (UPLOAD_DIR / f"{previous}.xlsx").unlink(missing_ok=True)
        request.session[f"import-{code}"] = token
        return render(
            request, "registry/import.html", context, status=422 if result.errors else 200
        )
    if request.method == "POST" and request.POST.get("action") == "commit":
        stored = _stored(request, code)
        if stored is None:
            messages.error(request, "上传的文件已过期，请重新上传。")
            return redirect("registry:excel_import", code=code)
        result = importer.validate_upload(
            code, stored.read_bytes(), request.user, filename=stored.name
        )
        if result.errors:
            context["report"], context["error_rows"] = result, result.errors[:500]
            return render(request, "registry/import.html", context, status=422)
        done = importer.commit(result, request.user)
        stored.unlink(missing_ok=True)
        request.session.pop(f"import-{code}", None)
        messages.success(request, f"导入完成：新增 {done.created} 条，更新 {done.updated} 条。")
        page = context["page"]
        return redirect(f"registry:{page.slug}_list") if page else redirect("site:home")
    if request.method == "POST":
        context["upload_error"] = "请选择要上传的 xlsx 文件。"
    return render(request, "registry/import.html", context)


@login_required
def error_report(request: HttpRequest, code: str) -> HttpResponse:
    from kechuang.registry.excel import importer, report

    spec = _spec(code)
    stored = _stored(request, code)
    if stored is None:
        raise Http404("没有可下载的校验报告，请重新上传。")
    content = stored.read_bytes()
    result = importer.validate_upload(code, content, request.user, filename=stored.name)
    return _xlsx(report.report_xlsx(result, content), f"{spec.title_zh}-校验报告.xlsx")
