"""“我的任务”: the user's recent jobs, a job's progress (polled by htmx), its result file.
Only the owner reaches a job; anybody else's job answers 404, as if it did not exist."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kechuang.core.jobs.models import Job
from kechuang.core.jobs.services import jobs_for, mark_seen, progress_of, result_path

RECENT = 50


def _own(request: HttpRequest, pk: int) -> Job:
    return get_object_or_404(jobs_for(request.user), pk=pk)


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = list(jobs_for(request.user)[:RECENT])
    mark_seen(request.user)
    rows = [(job, progress_of(job)) for job in jobs]
    return render(request, "core/jobs/list.html", {"rows": rows})


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The page a long import or export leads to: its progress bar, then its result."""
    job = _own(request, pk)
    return render(request, "core/jobs/detail.html", {"job": job, "p": progress_of(job)})


@never_cache
@login_required
@require_GET
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own(request, pk)
    return render(request, "core/jobs/_progress.html", {"job": job, "p": progress_of(job)})


@never_cache
@login_required
@require_GET
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own(request, pk)
    path = result_path(job)
    if path is None:
        raise Http404("该任务没有可下载的文件（未完成、已失败或文件已过期清理）。")
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_name)
