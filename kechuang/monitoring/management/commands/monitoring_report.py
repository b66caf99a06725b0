"""manage.py monitoring_report --plan nanyang-14 --year YYYY --out FILE.docx [--user USERNAME]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kechuang.monitoring.report import ReportError, build_report
from kechuang.monitoring.selectors import DEFAULT_PLAN, get_plan


class Command(BaseCommand):
    help = "生成规划实施情况监测报告（Word .docx）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--plan", default=DEFAULT_PLAN, help="规划编号（默认 nanyang-14）")
        parser.add_argument("--year", type=int, default=timezone.localdate().year, help="报告年度")
        parser.add_argument("--out", required=True, help="输出的 .docx 文件")
        parser.add_argument("--user", help="报告中记录的生成人（用户名）")

    def handle(self, *args: Any, **options: Any) -> None:
        plan = get_plan(options["plan"])
        if plan is None:
            raise CommandError(f"规划“{options['plan']}”不存在，请先运行 manage.py load_plan。")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"用户“{options['user']}”不存在。")
        try:
            content = build_report(plan, options["year"], user)
        except ReportError as error:
            raise CommandError(str(error)) from error
        out = Path(options["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content)
        self.stdout.write(f"已生成监测报告：{out}（{len(content) // 1024} KB）")
