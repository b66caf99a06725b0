"""manage.py import_observations FILE [--plan nanyang-14] --user USERNAME [--dry-run]"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kechuang.core.audit import audit_context
from kechuang.monitoring.imports import (
    COLUMNS,
    ImportRefused,
    ObservationImportReport,
    commit,
    validate_file,
)
from kechuang.monitoring.selectors import DEFAULT_PLAN, get_plan


class Command(BaseCommand):
    help = (
        "从 .xlsx 或 CSV（UTF-8 / GB18030）导入监测值，列为 "
        + ",".join(COLUMNS)
        + "；先校验全部行，有任何错误时不导入任何数据。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="要导入的 .xlsx 或 .csv 文件")
        parser.add_argument("--plan", default=DEFAULT_PLAN, help="规划编号（默认 nanyang-14）")
        parser.add_argument("--user", required=True, help="以该用户的身份和权限导入（用户名）")
        parser.add_argument("--dry-run", action="store_true", help="只校验并统计，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"用户“{options['user']}”不存在。")
        plan = get_plan(options["plan"])
        if plan is None:
            raise CommandError(f"规划“{options['plan']}”不存在，请先运行 manage.py load_plan。")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件“{path}”不存在。")
        with audit_context(label=f"manage.py import_observations（{user.get_username()}）"):
            report = validate_file(path.read_bytes(), user, plan, filename=path.name)
            if report.errors:
                self._print_errors(report)
                sys.exit(1)
            self.stdout.write(
                f"校验通过（{report.file_format}）：共 {report.rows_total} 行，"
                f"将新增 {report.to_create} 条，已存在未变 {report.unchanged} 条，"
                f"其中 {report.conflicts} 条将因来源不一致标为冲突。"
            )
            if options["dry_run"]:
                self.stdout.write("试运行（--dry-run），未写入任何数据。")
                return
            try:
                result = commit(report, user)
            except ImportRefused as error:
                self._print_errors(report, str(error))
                sys.exit(1)
        self.stdout.write(
            f"已导入：新增 {result.created} 条监测值，其中 {result.conflicts} 条来源冲突待核实。"
        )

    def _print_errors(self, report: ObservationImportReport, headline: str = "") -> None:
        self.stderr.write(
            headline or f"校验未通过，未导入任何数据。共 {len(report.errors)} 处错误："
        )
        for error in report.errors:
            where = f"第 {error.row} 行" if error.row else "文件"
            value = f"“{error.value}”" if error.value else ""
            fix = f" 修改建议：{error.fix}" if error.fix else ""
            self.stderr.write(f"{where}【{error.column_header}】{value}：{error.problem}{fix}")
