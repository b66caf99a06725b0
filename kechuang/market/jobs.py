"""A published list's Excel or Word file built by a background job (core/jobs) when the page's
link asks with `background=1` (a list can hold hundreds of items); the plain URL still answers
the file at once. Called by the worker as `work(progress, **params)`."""

from __future__ import annotations

from kechuang.core.jobs.services import JobFailure, JobResult, Progress, active_user
from kechuang.market import selectors
from kechuang.market.export import list_docx_bytes, list_xlsx_bytes

LIST_TARGET = "kechuang.market.jobs.published_list"
FORMATS = {"xlsx": ("Excel", list_xlsx_bytes), "docx": ("Word", list_docx_bytes)}


def published_list(progress: Progress, list_id: int, file_format: str, user_id: int) -> JobResult:
    active_user(user_id)
    published = selectors.lists_for(None).filter(pk=list_id).first()
    if published is None or file_format not in FORMATS:
        raise JobFailure("该清单已撤下或不存在，文件未生成。")
    label, build = FORMATS[file_format]
    progress.start(f"生成{label}", total=len(published.items))
    content = build(published)
    progress.step(len(published.items))
    return JobResult(
        f"“{published.title}”的 {label} 文件已生成（共 {len(published.items)} 项）。",
        content,
        f"{published.title}.{file_format}",
    )
