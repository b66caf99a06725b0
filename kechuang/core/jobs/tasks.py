"""The one background task of every job (django-tasks, database backend; the worker is
`manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task

from kechuang.core.jobs.services import run_job as run


@task()
def run_job(job_id: int) -> str:
    """Run the queued job `job_id`; returns its final status."""
    return run(job_id)
