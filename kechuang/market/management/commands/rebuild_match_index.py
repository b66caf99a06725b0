"""manage.py rebuild_match_index [--no-learn] [--workers N]: learn synonyms from the platform's own
text (kept under var/market/), rebuild the matching index's base segment from the database
(tokenised by N worker processes, default 2) and move the watermark, so every app server's copy
loads it on its next query."""

from typing import Any

from django.core.management.base import BaseCommand

from kechuang.market import matching


class Command(BaseCommand):
    help = "从数据库重建科技大市场的匹配索引"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-learn", action="store_true", help="不重新学习语料同义词（沿用上次的结果）"
        )
        parser.add_argument(
            "--workers", type=int, default=2, help="分词的工作进程数（默认 2，1 为不另起进程）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_learn"]:
            learnt = matching.learn()
            self.stdout.write(f"从平台语料学习到 {learnt} 组同义词。")
        matching.bump()
        count = matching.rebuild(max(1, options["workers"]))
        self.stdout.write(f"匹配索引已重建：{count} 条文档。")
