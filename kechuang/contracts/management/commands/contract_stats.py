"""manage.py contract_stats --year YYYY [--area NAME] [--period year|quarter|month]
--format json|table: the register's statistics (city staff's view: every contract)."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kechuang.contracts import selectors

TABLES = (
    ("技术输出（卖方区域）", "output_by_area"),
    ("技术吸纳（买方区域）", "absorbed_by_area"),
    ("按类别", "by_category"),
    ("按期间", "by_period"),
    ("按卖方类型", "by_seller_kind"),
)


class Command(BaseCommand):
    help = "技术合同统计：成交额、技术交易额，按区域（输出、吸纳）、类别、期间等。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--area", default=None, help="区域名称或代码")
        parser.add_argument("--period", default="year", choices=["year", "quarter", "month"])
        parser.add_argument("--format", default="table", choices=["json", "table"])

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            answer = selectors.statistics_answer(
                None, options["year"], options["area"], options["period"], everything=True
            )
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        if options["format"] == "json":
            self.stdout.write(json.dumps(answer, ensure_ascii=False, default=str, indent=2))
            return
        totals = answer["totals"]
        self.stdout.write(
            f"{answer['year']} 年 {answer['area'] or '全部区域'}：{totals['count']} 份，"
            f"成交额 {totals['total']} 万元，技术交易额 {totals['technology']} 万元"
        )
        for title, key in TABLES:
            self.stdout.write(f"\n{title}")
            for r in answer[key]:
                self.stdout.write(f"  {r['key']}\t{r['count']}\t{r['total']}\t{r['technology']}")
