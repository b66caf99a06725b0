"""manage.py import_registry REGISTRY FILE --user USERNAME [--dry-run] [--report OUT.xlsx]"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kechuang.core.audit import audit_context
from kechuang.registry.excel.importer import ImportRefused, commit, validate_upload
from kechuang.registry.excel.report import report_xlsx
from kechuang.registry.excel.specs import REGISTRIES, UnknownRegistry


class Command(BaseCommand):
    help = "从 Excel（.xlsx）导入登记数据：先校验，无错误时整体导入；有错误时不导入任何数据。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("registry", help="登记库：" + "、".join(REGISTRIES))
        parser.add_argument("file", help="要导入的 .xlsx 文件")
        parser.add_argument("--user", required=True, help="以该用户的身份和权限导入（用户名）")
        parser.add_argument("--dry-run", action="store_true", help="只校验并统计，不写入")
        parser.add_argument("--report", help="把校验结果写入该 .xlsx 文件（错误单元格标红）")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"用户“{options['user']}”不存在。")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件“{path}”不存在。")
        content = path.read_bytes()
        with audit_context(label=f"manage.py import_registry（{user.get_username()}）"):
            try:
                report = validate_upload(options["registry"], content, user, filename=path.name)
            except UnknownRegistry as error:
                raise CommandError(error.args[0]) from None
            if options["report"]:
                Path(options["report"]).write_bytes(report_xlsx(report, content))
            if report.errors:
                self._print_errors(report)
                sys.exit(1)
            self.stdout.write(
                f"校验通过：共 {report.rows_total} 行，将新增 {report.to_create} 条，"
                f"更新 {report.to_update} 条，无变化 {report.unchanged} 条。"
            )
            if options["dry_run"]:
                self.stdout.write("试运行（--dry-run），未写入任何数据。")
                return
            try:
                result = commit(report, user)
            except ImportRefused as error:
                self.stderr.write(str(error))
                sys.exit(1)
        self.stdout.write(f"已导入：新增 {result.created} 条，更新 {result.updated} 条。")

    def _print_errors(self, report: Any) -> None:
        self.stderr.write(f"校验未通过，未导入任何数据。共 {len(report.errors)} 处错误：")
        for error in report.errors:
            where = f"第 {error.row} 行" if error.row else "文件"
            value = f"“{error.value}”" if error.value else ""
            self.stderr.write(
                f"{where}【{error.column_header}】{value}：{error.problem} 修改建议：{error.fix}"
            )
