"""Offline evaluation of the matching engine: datasets in the BEIR layout or the CSL proxy tasks of
`../shared/data/eval/csl/` (see its README), metrics nDCG@10 (graded gains 2^g − 1), recall@100,
MRR@10 and query latency, and the two engines compared in the same run: `kechuang` (domain
dictionary, bigrams, synonyms, weighted fields) and `bm25-plain` (jieba + BM25 over title and text,
the peer every change is measured against)."""

from __future__ import annotations

import csv
import json
import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kechuang.market.engine.dense import HybridIndex, train_vectors
from kechuang.market.engine.index import MatchIndex
from kechuang.market.engine.learnt import learn_groups, merge
from kechuang.market.engine.synonyms import Thesaurus, default_groups
from kechuang.market.engine.tokens import Tokenizer

ENGINES = ("kechuang", "bm25-plain")
# kechuang with synonyms learnt from the dataset's own corpus beside the hand table (engine.learnt);
# kechuang fused by reciprocal rank with word vectors trained on the dataset's own corpus
# (engine.dense: the optional encoder, here without any model from outside)
VARIANTS = (*ENGINES, "kechuang-learnt", "kechuang-dense")


@dataclass
class Dataset:
    name: str
    corpus: dict[str, dict[str, str]]  # id → {"title", "text"}
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    exclude_self: bool = False  # a query that is a corpus document does not retrieve itself


def load_beir(directory: Path) -> Dataset:
    """`corpus.jsonl` (_id, title, text), `queries.jsonl` (_id, text), `qrels/test.tsv`
    (query-id, corpus-id, score; a header line)."""
    directory = Path(directory)
    corpus = {}
    for line in (directory / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            corpus[str(row["_id"])] = {"title": row.get("title", ""), "text": row.get("text", "")}
    queries = {}
    for line in (directory / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            queries[str(row["_id"])] = row["text"]
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    with (directory / "qrels" / "test.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if int(row["score"]) > 0:
                qrels[str(row["query-id"])][str(row["corpus-id"])] = int(row["score"])
    queries = {qid: text for qid, text in queries.items() if qid in qrels}
    return Dataset(directory.name, corpus, queries, dict(qrels))


def load_csl(directory: Path, task: str) -> Dataset:
    """CSL proxy task "a" (keyword → papers) or "b" (title → related papers)."""
    directory = Path(directory)
    corpus = {}
    for line in (directory / "csl_benchmark_2k.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        corpus[row["id"]] = {"title": row["title"], "text": row["abstract"]}
    name = {"a": "task_a_keyword_qrels.tsv", "b": "task_b_title_qrels.tsv"}[task]
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    with (directory / name).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            queries[row["query_id"]] = row["query"]
            qrels[row["query_id"]][row["doc_id"]] = int(row["grade"])
    return Dataset(f"csl-{task}", corpus, queries, dict(qrels), exclude_self=task == "b")


def build_index(
    engine: str, terms: Iterable[str] = (), corpus: Iterable[str] = ()
) -> MatchIndex | HybridIndex:
    """The engine's empty index; `kechuang-learnt` learns its extra synonyms from `corpus`,
    `kechuang-dense` its word vectors."""
    if engine == "bm25-plain":
        tokenizer = Tokenizer(set(), bigrams=False, search_mode=False, stopwords=frozenset())
        return MatchIndex(tokenizer, None, {"text": 1.0}, k1=1.5, b=0.75)
    if engine not in VARIANTS:
        raise ValueError(f"未知的引擎：{engine}（可选 {'、'.join(VARIANTS)}）")
    groups = default_groups()
    tokenizer = Tokenizer(set(terms) | Thesaurus(groups).terms())
    if engine == "kechuang-learnt":
        plain = Tokenizer(tokenizer.terms, bigrams=False, search_mode=False)
        groups = merge(groups, learn_groups(corpus, plain.words))
    if engine == "kechuang-dense":
        plain = Tokenizer(tokenizer.terms, bigrams=False, search_mode=False)
        encoder = train_vectors(corpus, plain.words)
        return HybridIndex(MatchIndex(tokenizer, Thesaurus(groups)), encoder)
    return MatchIndex(tokenizer, Thesaurus(groups))


def index_dataset(index: MatchIndex | HybridIndex, dataset: Dataset) -> None:
    plain = list(index.fields) == ["text"]
    for doc_id, doc in dataset.corpus.items():
        if plain:
            index.add(doc_id, {"text": f"{doc['title']}。{doc['text']}"})
        else:
            index.add(doc_id, {"title": doc["title"], "text": doc["text"]})


def dcg(gains: list[int]) -> float:
    return sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(gains))


def evaluate(
    index: MatchIndex | HybridIndex, dataset: Dataset, limit: int | None = None
) -> dict[str, float]:
    """Mean nDCG@10, recall@100, MRR@10 over the queries, latency p50/p95 in ms."""
    ndcgs, recalls, mrrs, latencies = [], [], [], []
    for number, (qid, text) in enumerate(sorted(dataset.queries.items())):
        if limit is not None and number >= limit:
            break
        relevant = dataset.qrels.get(qid, {})
        exclude = (qid,) if dataset.exclude_self else ()
        result = index.search(text, k=100, exclude=exclude)
        latencies.append(result.elapsed_ms)
        ranking = [hit.doc_id for hit in result.hits]
        ideal = dcg(sorted(relevant.values(), reverse=True)[:10])
        ndcgs.append(dcg([relevant.get(d, 0) for d in ranking[:10]]) / ideal if ideal else 0.0)
        recalls.append(len(set(ranking) & set(relevant)) / len(relevant) if relevant else 0.0)
        first = next((i for i, d in enumerate(ranking[:10]) if d in relevant), None)
        mrrs.append(1 / (first + 1) if first is not None else 0.0)
    latencies.sort()
    return {
        "queries": len(ndcgs),
        "ndcg@10": round(statistics.fmean(ndcgs), 4),
        "recall@100": round(statistics.fmean(recalls), 4),
        "mrr@10": round(statistics.fmean(mrrs), 4),
        "p50_ms": round(latencies[len(latencies) // 2], 2),
        "p95_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))], 2),
    }


def compare(
    dataset: Dataset,
    engines: Iterable[str] = ENGINES,
    terms: Iterable[str] = (),
    limit: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, dict[str, float]]:
    results = {}
    for engine in engines:
        texts = (f"{d['title']}。{d['text']}" for d in dataset.corpus.values())
        learns = engine in ("kechuang-learnt", "kechuang-dense")
        index = build_index(engine, terms, texts if learns else ())
        index_dataset(index, dataset)
        results[engine] = evaluate(index, dataset, limit)
        if progress:
            progress(f"{dataset.name} {engine}: {results[engine]}")
    return results
