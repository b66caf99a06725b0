"""manage.py rebuild_match_index: rebuild this process's matching index from the database and move
the watermark, so every app server's copy rebuilds on its next query."""

from typing import Any

from django.core.management.base import BaseCommand

from kechuang.market import matching


class Command(BaseCommand):
    help = "从数据库重建科技大市场的匹配索引"

    def handle(self, *args: Any, **options: Any) -> None:
        matching.bump()
        count = matching.rebuild()
        self.stdout.write(f"匹配索引已重建：{count} 条文档。")
