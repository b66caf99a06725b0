"""Assess one case file against a rule set, without touching the database."""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kechuang.cultivation.engine import CaseError, assess, load_case
from kechuang.cultivation.engine.rulesets import RULESETS


class Command(BaseCommand):
    help = "按认定规则评估一个案例文件（JSON，金额单位万元），不读写数据库。"
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--rules", required=True, choices=sorted(RULESETS), help="规则集")
        parser.add_argument("--input", required=True, help="案例 JSON 文件（- 表示标准输入）")
        parser.add_argument("--format", default="text", choices=["json", "text"], help="输出格式")
        parser.add_argument(
            "--policy", default="min", choices=["min", "mid", "max"], help="专家评分区间取值口径"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["input"]
        try:
            raw = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"无法读取案例文件 {source}：{error.strerror}") from error
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as error:
            raise CommandError(
                f"案例文件不是有效的 JSON：第 {error.lineno} 行第 {error.colno} 列"
            ) from error
        try:
            result = assess(options["rules"], load_case(data), options["policy"])
        except CaseError as error:
            raise CommandError(str(error)) from error
        if options["format"] == "json":
            self.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(result.render_text())
