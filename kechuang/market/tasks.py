"""Background tasks of the market (django-tasks, database backend; the worker is
`manage.py db_worker`): after a write that changes what the matching index holds, the worker's
copy catches up with the database and is persisted under var/market/, so a server that starts
next loads a current copy instead of rebuilding (the watermark still makes every running
server's copy catch up on its next query)."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from kechuang.market import matching


@task()
def refresh_match_index() -> int:
    """Catch the index up and persist it; returns the number of documents indexed."""
    return matching.refresh_and_save()


def index_changed() -> None:
    """Move the watermark (inside the writer's transaction) and, once it commits, queue the
    refresh of the persisted copy."""
    matching.bump()
    transaction.on_commit(refresh_match_index.enqueue)
