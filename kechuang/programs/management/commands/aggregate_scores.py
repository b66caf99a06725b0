"""Aggregate review scores three ways (raw mean, trimmed mean, mean of per-reviewer z-scores)
and rank, on plain JSON, without the database."""

from typing import Any

from django.core.management.base import BaseCommand

from kechuang.programs.engine.scores import METHODS, aggregate_json
from kechuang.programs.management.commands._json_command import run


class Command(BaseCommand):
    help = "汇总评审分数：原始均值、去掉最高最低分均值、标准分均值及排名（JSON），不读写数据库。"
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--input", required=True, help="输入 JSON 文件（- 表示标准输入）")
        parser.add_argument("--format", default="json", choices=["json"], help="输出格式")
        parser.add_argument("--method", default="z_mean", choices=sorted(METHODS), help="排序方法")

    def handle(self, *args: Any, **options: Any) -> None:
        method = options["method"]
        self.stdout.write(run(options["input"], lambda data: aggregate_json(data, method)))
