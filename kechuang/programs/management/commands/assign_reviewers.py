"""Assign k reviewers per application under recusal and load limits, on plain JSON, without
the database (the engine of the programmes' automatic assignment)."""

from typing import Any

from django.core.management.base import BaseCommand

from kechuang.programs.engine.assignment import assign_json
from kechuang.programs.management.commands._json_command import run


class Command(BaseCommand):
    help = "按回避规则和评审量上限为每个申报分配评审专家（JSON 输入输出），不读写数据库。"
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--input", required=True, help="输入 JSON 文件（- 表示标准输入）")
        parser.add_argument("--format", default="json", choices=["json"], help="输出格式")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(run(options["input"], assign_json))
