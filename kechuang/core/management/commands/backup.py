"""manage.py backup [--output F]: a consistent copy of the whole database while the site runs
(SQLite's online backup API; pg_dump -Fc on PostgreSQL). See kechuang/core/backup.py."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kechuang.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份整个数据库（SQLite 在线备份；PostgreSQL 使用 pg_dump -Fc），站点无需停止。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, help="备份文件路径（默认 var/backups/kechuang-时间.*）"
        )
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path = backup(options["database"], options["output"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = path.stat().st_size / 1024 / 1024
        self.stdout.write(f"已备份到 {path}（{size:.1f} MB）。")
