"""manage.py train_match_encoder --out DIR [--dimension 100]: train word vectors on the
platform's own text (published listings, public experts, brokers and institutions, the
registry's patents) and write them to DIR in the word2vec text format, for
KECHUANG_MARKET_ENCODER_DIR (the optional dense side of the matching, market/engine/dense.py).
Nothing is downloaded."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kechuang.market import matching


class Command(BaseCommand):
    help = "用平台自身语料训练匹配用的词向量（可选的向量模型，不下载任何模型）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", required=True, help="输出目录（写入 vectors.txt）")
        parser.add_argument("--dimension", type=int, default=100, help="向量维数（默认 100）")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 2 <= options["dimension"] <= 1000:
            raise CommandError("--dimension 应在 2 到 1000 之间")
        try:
            words = matching.train_encoder(Path(options["out"]), options["dimension"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"词向量已写入 {options['out']}：{words} 个词。"
            f"设置 KECHUANG_MARKET_ENCODER_DIR={options['out']} 后启用向量融合排序。"
        )
