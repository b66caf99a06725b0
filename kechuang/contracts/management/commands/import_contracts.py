"""manage.py import_contracts FILE --user NAME [--dry-run]: contracts from the registration
system's export (CSV or xlsx), all-or-nothing, with the row/column error report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kechuang.contracts import imports
from kechuang.core.imports.errors import ImportRefused


class Command(BaseCommand):
    help = "导入技术合同登记数据（CSV 或 xlsx），全部成功或全部不导入。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="以该用户的身份和范围导入")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"用户“{options['user']}”不存在。")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        report = imports.validate_file(user, path.read_bytes(), path.name)
        for e in report.errors:
            self.stdout.write(f"第 {e.row} 行\t{e.column_header}\t{e.value}\t{e.problem}\t{e.fix}")
        if not report.ok:
            raise CommandError(f"校验发现 {len(report.errors)} 处错误，未导入任何数据。")
        if options["dry_run"]:
            self.stdout.write(
                f"校验通过（未写入）：{report.rows_total} 行，"
                f"将新增 {report.to_create} 份、变更 {report.to_change} 份。"
            )
            return
        try:
            result = imports.commit(user, report)
        except ImportRefused as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(f"已导入：新增 {result.created} 份，变更 {result.changed} 份。")
