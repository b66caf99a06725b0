"""Benchmark: the market's matching engine against the plain jieba + BM25 peer on the CSL proxy
tasks of ../shared/data/eval/csl (README there): task A keyword → papers (286 queries), task B
title → related papers (881 queries). Both engines in the same run; nDCG@10, recall@100, MRR@10,
query latency p50/p95; the index build time; and the optional dense encoder's fusion
(`kechuang-dense`, word vectors trained on the task's own corpus, engine/dense.py).
Writes bench/results/matching.json.

No network, no model: jieba's dictionary ships in its wheel.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
EVAL = ROOT.parent / "shared" / "data" / "eval" / "csl"


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from kechuang.market.engine.evaluation import build_index, evaluate, index_dataset, load_csl
    from kechuang.market.engine.vocabulary import reference_terms

    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else EVAL
    if not directory.is_dir():
        print(f"未找到评测数据目录 {directory}，跳过匹配基准")
        return
    terms = reference_terms()
    report = {"dataset": str(directory), "tasks": {}}
    for task in ("a", "b"):
        dataset = load_csl(directory, task)
        report["tasks"][dataset.name] = {}
        # kechuang-dense: the optional encoder's fusion, with vectors trained on the task's corpus
        for engine in ("kechuang", "bm25-plain", "kechuang-dense"):
            started = time.perf_counter()
            texts = [f"{d['title']}。{d['text']}" for d in dataset.corpus.values()]
            index = build_index(engine, terms, texts if engine == "kechuang-dense" else ())
            index_dataset(index, dataset)
            built = time.perf_counter() - started
            figures = evaluate(index, dataset)
            figures["index_seconds"] = round(built, 2)
            report["tasks"][dataset.name][engine] = figures
            print(dataset.name, engine, figures, flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "matching.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
