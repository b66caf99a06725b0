from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kechuang.core.audit import audit_context
from kechuang.monitoring.engine.plan_file import PlanFileError
from kechuang.monitoring.services import PLAN_FILES, load_plan_file


class Command(BaseCommand):
    help = (
        "载入规划文件（指标、量化承诺）；重复运行不会产生变化。"
        "默认载入 data/plans/ 下的南阳“十四五”规划。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--file", help="规划 YAML 文件；省略时载入全部内置规划")

    def handle(self, *args: Any, **options: Any) -> None:
        files = [options["file"]] if options["file"] else list(PLAN_FILES.values())
        with audit_context(label="manage.py load_plan"):
            for path in files:
                try:
                    plan = load_plan_file(path)
                except PlanFileError as error:
                    raise CommandError(f"规划文件有误：{error}") from error
                except FileNotFoundError as error:
                    raise CommandError(f"找不到规划文件：{path}") from error
                self.stdout.write(
                    f"{plan}：{plan.indicators.filter(is_auxiliary=False).count()} 项指标，"
                    f"{plan.commitments.count()} 项量化承诺"
                )
