"""Background tasks of the cultivation module (django-tasks, database backend).

The worker is `manage.py db_worker` (started by `make demo` next to the web server).
"""

from __future__ import annotations

from django_tasks import task

from kechuang.cultivation.services.pool import execute_run


@task()
def screen_enterprises(run_id: int) -> str:
    """Execute the queued screening run `run_id`; returns its final status."""
    return execute_run(run_id).status
