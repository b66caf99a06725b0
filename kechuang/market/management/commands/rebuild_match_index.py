"""manage.py rebuild_match_index [--no-learn]: learn synonyms from the platform's own text (kept
under var/market/), rebuild this process's matching index from the database and move the
watermark, so every app server's copy rebuilds on its next query."""

from typing import Any

from django.core.management.base import BaseCommand

from kechuang.market import matching


class Command(BaseCommand):
    help = "从数据库重建科技大市场的匹配索引"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-learn", action="store_true", help="不重新学习语料同义词（沿用上次的结果）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_learn"]:
            learnt = matching.learn()
            self.stdout.write(f"从平台语料学习到 {learnt} 组同义词。")
        matching.bump()
        count = matching.rebuild()
        self.stdout.write(f"匹配索引已重建：{count} 条文档。")
