"""manage.py restore F: replace the whole database with a backup made by `manage.py backup`
(SQLite: checked, then copied page for page; PostgreSQL: pg_restore --clean, one transaction).
See kechuang/core/backup.py."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kechuang.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "用 manage.py backup 生成的备份文件替换整个数据库（现有数据将被覆盖）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="备份文件")
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="不询问确认"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["path"]
        if options["interactive"]:
            answer = input(f"将用 {path} 覆盖当前数据库的全部数据，输入 yes 继续：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，数据库未改动。")
        try:
            restore(path, options["database"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"已从 {path} 恢复数据库。")
