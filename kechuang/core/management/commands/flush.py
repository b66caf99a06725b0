"""Django's `flush`, permitted to empty the audit trail (its rows are otherwise protected by
database triggers: kechuang/core/audit_guard.py). The test suite's transactional tests end with
it."""

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand

from kechuang.core.audit_guard import audit_unlocked


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        with audit_unlocked(options["database"]):
            super().handle(**options)
