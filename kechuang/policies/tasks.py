"""Background tasks of the policies module (django-tasks, database backend): a benefit run over
the whole city. The worker is `manage.py db_worker` (started by `make demo`)."""

from __future__ import annotations

from django_tasks import task

from kechuang.policies.compute import execute_run


@task()
def compute_benefits(run_id: int) -> str:
    """Compute the queued benefit run `run_id`; returns its final status."""
    return execute_run(run_id).status
