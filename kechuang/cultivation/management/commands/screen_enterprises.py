import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kechuang.core.audit import audit_context
from kechuang.cultivation.models import RunStatus, ScreeningRun, stage_counts_text
from kechuang.cultivation.services import execute_run
from kechuang.registry.models import Area


class Command(BaseCommand):
    help = (
        "批量筛查在册企业（高企、科小、梯度培育标准）并更新高企后备库，在本进程内执行"
        "（网页上发起的筛查由后台任务 db_worker 执行）。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--as-of", help="评价基准日 YYYY-MM-DD，默认今天")
        parser.add_argument("--area", help="县区名称或代码，默认全市")
        parser.add_argument(
            "--if-empty", action="store_true", help="已有筛查记录时跳过（make demo 重复运行时用）"
        )
        parser.add_argument(
            "--years",
            help="依次按各年 6 月 30 日筛查，形成动态跟踪历史，例如 2021-2025",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and ScreeningRun.objects.exists():
            self.stdout.write("已有批量筛查记录，跳过（--if-empty）。")
            return
        area = None
        if options["area"]:
            area = Area.objects.filter(name=options["area"]).first() or (
                Area.objects.filter(code=options["area"]).first()
            )
            if area is None:
                raise CommandError(f"未知区域：{options['area']}")
        days = [self.parse_day(options["as_of"])] if options["as_of"] else []
        if options["years"]:
            try:
                first, last = (int(p) for p in options["years"].split("-"))
            except ValueError as error:
                raise CommandError("--years 应为“起始年-结束年”，例如 2021-2025") from error
            days += [dt.date(y, 6, 30) for y in range(first, last + 1)]
        if not days:
            days = [timezone.localdate()]
        with audit_context(label="manage.py screen_enterprises"):
            for day in days:
                run = ScreeningRun.objects.create(as_of=day, area=area)
                run = execute_run(run.pk)
                if run.status != RunStatus.DONE:
                    raise CommandError(run.error)
                self.stdout.write(
                    f"{run}：{run.summary['screened']} 家企业，"
                    f"{stage_counts_text(run.summary['stages'])}，用时 {run.summary['seconds']} 秒"
                )

    @staticmethod
    def parse_day(raw: str) -> dt.date:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError as error:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{raw}") from error
