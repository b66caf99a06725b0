"""manage.py load_contract_calendar [FILE]: the holidays and make-up working days of the
registrar's working-day deadlines (default data/contracts/holidays.yaml); idempotent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from kechuang.contracts import services

DEFAULT = settings.DATA_DIR / "contracts" / "holidays.yaml"


class Command(BaseCommand):
    help = "载入技术合同登记办结期限所用的节假日安排（已有的日期保持不变）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", nargs="?", default=str(DEFAULT))

    def handle(self, *args: Any, **options: Any) -> None:
        added = services.load_calendar(Path(options["file"]))
        self.stdout.write(f"节假日安排：新增 {added} 天。")
