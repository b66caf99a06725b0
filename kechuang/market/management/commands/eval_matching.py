"""manage.py eval_matching --dataset DIR [--engine kechuang|bm25-plain] [--format json|table]:
evaluate a matching engine on a dataset in the BEIR layout (corpus.jsonl, queries.jsonl,
qrels/test.tsv), or on the CSL proxy tasks (`--dataset ../shared/data/eval/csl --task a|b`).
Prints ndcg@10, recall@100, mrr@10, the number of queries and latency p50/p95 (ms). Both
engines when --engine is not given, in the same run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kechuang.market import matching
from kechuang.market.engine.evaluation import ENGINES, VARIANTS, compare, load_beir, load_csl

COLUMNS = ("queries", "ndcg@10", "recall@100", "mrr@10", "p50_ms", "p95_ms")


class Command(BaseCommand):
    help = "在 BEIR 格式（或 CSL 代理任务）的评测集上评估供需匹配引擎"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dataset", required=True, help="评测集目录")
        parser.add_argument(
            "--engine",
            choices=VARIANTS,
            help="只评估一个引擎（默认 kechuang 与 bm25-plain 都评估；"
            "kechuang-learnt 另加从评测语料学习的同义词）",
        )
        parser.add_argument("--task", choices=("a", "b"), help="CSL 代理任务（目录为 CSL 时）")
        parser.add_argument("--format", choices=("json", "table"), default="table")
        parser.add_argument("--limit", type=int, default=None, help="只评估前 N 条查询")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["dataset"])
        if not directory.is_dir():
            raise CommandError(f"评测集目录不存在：{directory}")
        try:
            if options["task"]:
                dataset = load_csl(directory, options["task"])
            else:
                dataset = load_beir(directory)
        except (OSError, KeyError, ValueError) as error:
            raise CommandError(
                f"无法读取评测集（需要 corpus.jsonl、queries.jsonl、qrels/test.tsv）：{error}"
            ) from error
        engines = (options["engine"],) if options["engine"] else ENGINES
        try:
            results = compare(dataset, engines, matching.domain_vocabulary(), options["limit"])
        except ValueError as error:  # e.g. too small a corpus to train kechuang-dense's vectors
            raise CommandError(str(error)) from error
        if options["format"] == "json":
            self.stdout.write(json.dumps({"dataset": dataset.name, "engines": results}))
            return
        self.stdout.write(f"{'engine':<12}" + "".join(f"{c:>12}" for c in COLUMNS))
        for engine, figures in results.items():
            self.stdout.write(f"{engine:<12}" + "".join(f"{figures[c]:>12}" for c in COLUMNS))
