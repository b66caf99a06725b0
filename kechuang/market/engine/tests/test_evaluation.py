"""The engine on the CSL proxy tasks of ../shared/data/eval/csl (its README): `kechuang` beats
the plain jieba + BM25 peer in the same run, above the floors measured when it was built
(bench/bench_matching.py, bench/results/matching.json: task A nDCG@10 0.539 vs 0.518, task B
0.260 vs 0.233 on all 881 queries)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kechuang.conftest import shared_dir
from kechuang.market.engine.evaluation import (
    build_index,
    compare,
    dcg,
    evaluate,
    index_dataset,
    load_beir,
    load_csl,
)
from kechuang.market.engine.vocabulary import reference_terms

# ../shared as every test finds it (beside this checkout, beside the clone's origin, or
# KECHUANG_SHARED): a fresh clone in /tmp finds it too.
EVAL = shared_dir() / "data" / "eval" / "csl"


@pytest.fixture(scope="module")
def terms() -> set[str]:
    return reference_terms()


def test_the_eval_data_is_there() -> None:
    assert (EVAL / "csl_benchmark_2k.jsonl").is_file(), f"评测数据缺失：{EVAL}"


def test_task_a_keyword_to_papers(terms: set[str]) -> None:
    results = compare(load_csl(EVAL, "a"), terms=terms)
    ours, plain = results["kechuang"], results["bm25-plain"]
    assert ours["queries"] == plain["queries"] == 286
    assert ours["ndcg@10"] >= 0.53
    assert ours["ndcg@10"] > plain["ndcg@10"] + 0.01
    assert ours["recall@100"] >= 0.90 > plain["recall@100"]
    assert 0.51 <= plain["ndcg@10"] <= 0.53  # the README's 0.518: the peer is what it says
    # latency is a benchmark figure (bench/bench_matching.py), not a timed test: a loaded CI
    # machine would make it flaky


def test_task_b_title_to_related_papers(terms: set[str]) -> None:
    results = compare(load_csl(EVAL, "b"), terms=terms, limit=300)
    ours, plain = results["kechuang"], results["bm25-plain"]
    assert ours["queries"] == 300
    assert ours["ndcg@10"] >= 0.25
    assert ours["ndcg@10"] > plain["ndcg@10"] + 0.01


def test_own_demand_set_favours_the_synonyms(terms: set[str]) -> None:
    """The set of our own (engine/data/eval-demands, its README): enterprise wording against
    patent wording; measured 0.889 vs 0.779 nDCG@10."""
    directory = Path(__file__).resolve().parents[1] / "data" / "eval-demands"
    results = compare(load_beir(directory), terms=terms)
    ours, plain = results["kechuang"], results["bm25-plain"]
    assert ours["queries"] == plain["queries"] == 15
    assert ours["ndcg@10"] >= 0.85
    assert ours["ndcg@10"] > plain["ndcg@10"] + 0.05
    assert ours["mrr@10"] > plain["mrr@10"]


def test_metrics_on_a_tiny_beir_dataset(tmp_path: Path) -> None:
    (tmp_path / "qrels").mkdir()
    corpus = [
        {"_id": "d1", "title": "一种隔爆型电动机的冷却装置", "text": "风道与散热片"},
        {"_id": "d2", "title": "香菇酱", "text": "超临界萃取"},
        {"_id": "d3", "title": "电机控制器", "text": "矢量控制"},
    ]
    (tmp_path / "corpus.jsonl").write_text("\n".join(json.dumps(c) for c in corpus))
    (tmp_path / "queries.jsonl").write_text(json.dumps({"_id": "q1", "text": "防爆电机散热"}))
    (tmp_path / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t2\n")
    dataset = load_beir(tmp_path)
    index = build_index("kechuang")
    index_dataset(index, dataset)
    figures = evaluate(index, dataset)
    assert figures["queries"] == 1
    assert figures["ndcg@10"] == 1.0 and figures["mrr@10"] == 1.0 and figures["recall@100"] == 1.0
    with pytest.raises(ValueError, match="未知的引擎"):
        build_index("bm25-fancy")


def test_dcg_uses_graded_gains() -> None:
    assert dcg([1]) == 1.0
    assert round(dcg([0, 2]), 4) == round(3 / 1.5849625, 4)
