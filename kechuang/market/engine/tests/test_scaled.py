"""The columnar base + delta index (`engine.segment`, `engine.scaled`) against the dict
`MatchIndex`: the same top-10 ids and scores (within 1e-6 relative) and the same explanations on
the CSL proxy set and on our own set, with and without filters, after adds and removes; the same
nDCG@10 (and still ahead of bm25-plain); the segment persisted and opened memory-mapped."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kechuang.conftest import shared_dir
from kechuang.market.engine.evaluation import (
    Dataset,
    build_index,
    evaluate,
    index_dataset,
    load_beir,
    load_csl,
)
from kechuang.market.engine.index import MatchIndex
from kechuang.market.engine.scaled import ScaledIndex
from kechuang.market.engine.segment import Segment, build_segment, decode_id, encode_id
from kechuang.market.engine.vocabulary import reference_terms

EVAL = shared_dir() / "data" / "eval" / "csl"
OWN = Path(__file__).resolve().parents[1] / "data" / "eval-demands"
KINDS = ("patent", "achievement", "demand")


def _meta(number: int) -> dict[str, Any]:
    meta: dict[str, Any] = {"kind": KINDS[number % 3], "area": number % 5}
    if number % 4:
        meta["industry"] = None if number % 7 == 0 else f"i{number % 4}"
    return meta


def _documents(dataset: Dataset) -> list[tuple[Any, dict[str, str], dict[str, Any]]]:
    return [
        (doc_id, {"title": doc["title"], "text": doc["text"]}, _meta(number))
        for number, (doc_id, doc) in enumerate(sorted(dataset.corpus.items()))
    ]


def _pair(dataset: Dataset, directory: Path, workers: int = 1) -> tuple[MatchIndex, ScaledIndex]:
    reference = build_index("kechuang", reference_terms())
    documents = _documents(dataset)
    reference.add_many(documents)
    segment = build_segment(
        directory, documents, reference.tokenizer, list(reference.fields), workers, 300
    )
    scaled = ScaledIndex(reference.tokenizer, reference.thesaurus, segment=segment)
    return reference, scaled


def _same(reference: MatchIndex, scaled: ScaledIndex, query: str, **options: Any) -> int:
    """Assert the two answer alike; returns the number of hits."""
    expected = reference.search(query, k=10, **options).hits
    got = scaled.search(query, k=10, **options).hits
    assert [h.doc_id for h in got] == [h.doc_id for h in expected], query
    for mine, theirs in zip(got, expected, strict=True):
        assert math.isclose(mine.score, theirs.score, rel_tol=1e-6), query
        assert mine.coverage == theirs.coverage
        assert mine.terms == theirs.terms
        assert dict(mine.meta) == dict(theirs.meta)
    return len(expected)


@pytest.fixture(scope="module")
def csl() -> Dataset:
    return load_csl(EVAL, "a")


@pytest.fixture(scope="module")
def pair(csl: Dataset, tmp_path_factory: pytest.TempPathFactory) -> tuple[MatchIndex, ScaledIndex]:
    return _pair(csl, tmp_path_factory.mktemp("segment") / "base", workers=2)


def test_the_segment_is_compact_and_memory_mapped(
    csl: Dataset, pair: tuple[MatchIndex, ScaledIndex]
) -> None:
    reference, scaled = pair
    segment = Segment.open(scaled.segment.directory)
    assert segment.size == len(csl.corpus) == len(reference) == len(scaled) == 2000
    assert isinstance(segment.arrays["docs"].base, np.memmap)  # a view of the mapped file
    assert segment.arrays["counts"].dtype == np.uint8
    assert segment.totals == reference._totals
    assert len(segment.arrays["vocab"]) == len(reference._postings)
    assert len(segment.arrays["docs"]) == sum(len(p) for p in reference._postings.values())
    doc_id = sorted(csl.corpus)[7]
    assert segment.doc_id(segment.ordinal(doc_id)) == doc_id
    assert segment.meta(segment.ordinal(doc_id)) == _meta(7)
    assert segment.ordinal("no-such-document") == -1
    assert decode_id(encode_id(("demand", 5))) == ("demand", 5)
    docs, counts = segment.postings("~电机")
    expected = reference._postings["~电机"]
    assert [segment.doc_id(int(o)) for o in docs] == sorted(
        expected, key=lambda d: segment.ordinal(d)
    )
    assert [list(c) for c in counts] == [expected[segment.doc_id(int(o))] for o in docs]


def test_same_hits_and_scores_as_the_dict_index(
    csl: Dataset, pair: tuple[MatchIndex, ScaledIndex]
) -> None:
    reference, scaled = pair
    queries = [text for _, text in sorted(csl.queries.items())][:120]
    hits = sum(_same(reference, scaled, q) for q in queries)
    assert hits >= 1100  # a few keyword queries match fewer than 10 papers
    filtered = sum(
        _same(reference, scaled, q, filters={"kind": {"patent", "demand"}, "area": n % 5})
        for n, q in enumerate(queries[:60])
    )
    assert 0 < filtered <= 600
    assert _same(reference, scaled, queries[0], filters={"industry": None}) == 10
    assert _same(reference, scaled, queries[1], filters={"industry": {None, "i1"}}) == 10
    assert _same(reference, scaled, queries[2], filters={"nothing": 3}) == 0
    first = reference.search(queries[3]).hits[0].doc_id
    assert _same(reference, scaled, queries[3], exclude=[first]) == 10
    assert first not in [h.doc_id for h in scaled.search(queries[3], exclude=[first]).hits]


def test_same_after_adds_and_removes(csl: Dataset, tmp_path: Path) -> None:
    reference, scaled = _pair(csl, tmp_path / "base")
    ids = sorted(csl.corpus)
    for doc_id in ids[:40]:
        reference.remove(doc_id)
        scaled.remove(doc_id)
    for number, doc_id in enumerate(ids[40:70]):  # changed: tombstoned in the base, in the delta
        texts = {"title": "一种隔爆型电动机的冷却装置", "text": csl.corpus[doc_id]["text"]}
        reference.add(doc_id, texts, _meta(number))
        scaled.add(doc_id, texts, _meta(number))
    new = ("new", 1)
    texts = {"title": "防爆电机散热结构", "keywords": "电机、散热", "text": "降低绕组温升。"}
    reference.add(new, texts, {"kind": "demand", "area": 2})
    scaled.add(new, texts, {"kind": "demand", "area": 2})
    reference.remove(ids[41])  # a changed one removed: from the delta
    scaled.remove(ids[41])
    reference.remove(ids[0])  # already gone: nothing happens
    scaled.remove(ids[0])
    assert len(scaled) == len(reference) == 2000 - 40 + 1 - 1
    assert ids[0] not in scaled and ids[45] in scaled and new in scaled and ids[41] not in scaled
    assert scaled.meta(new) == {"kind": "demand", "area": 2}
    assert scaled.delta_size == 30
    queries = [text for _, text in sorted(csl.queries.items())][:60]
    queries += ["防爆电机温升过高，需要新的散热结构", "电动机冷却"]
    for number, query in enumerate(queries):
        _same(reference, scaled, query)
        _same(reference, scaled, query, filters={"kind": KINDS[number % 3], "area": number % 5})
    assert scaled.search("防爆电机散热", k=1, filters={"area": 2}).hits[0].doc_id == new

    state = scaled.delta_state()
    reopened = ScaledIndex(reference.tokenizer, reference.thesaurus, segment=scaled.segment)
    reopened.restore_delta(state)
    assert len(reopened) == len(reference)
    for query in queries[-5:]:
        _same(reference, reopened, query, filters={"kind": {"demand", "patent"}})
    with pytest.raises(ValueError, match="增量快照格式"):
        reopened.restore_delta({**state, "format": 99})


def test_evaluation_is_unchanged_and_beats_the_peer(
    csl: Dataset, pair: tuple[MatchIndex, ScaledIndex]
) -> None:
    reference, scaled = pair
    ours, theirs = evaluate(scaled, csl), evaluate(reference, csl)
    plain = build_index("bm25-plain")
    index_dataset(plain, csl)
    peer = evaluate(plain, csl)
    for metric in ("queries", "ndcg@10", "recall@100", "mrr@10"):
        assert ours[metric] == theirs[metric], metric
    assert ours["ndcg@10"] > peer["ndcg@10"] + 0.01


def test_own_set_is_the_same(tmp_path: Path) -> None:
    own = load_beir(OWN)
    reference, scaled = _pair(own, tmp_path / "base")
    assert len(own.queries) == 15
    for number, (_, query) in enumerate(sorted(own.queries.items())):
        assert _same(reference, scaled, query) > 0
        _same(reference, scaled, query, filters={"kind": KINDS[number % 3]})
    ours, theirs = evaluate(scaled, own), evaluate(reference, own)
    assert ours["ndcg@10"] == theirs["ndcg@10"] > 0.5


def test_a_damaged_segment_is_refused(csl: Dataset, tmp_path: Path) -> None:
    reference = build_index("kechuang", reference_terms())
    documents = _documents(csl)[:50]
    segment = build_segment(tmp_path / "base", documents, reference.tokenizer, ["title", "text"])
    assert segment.size == 50
    (tmp_path / "base" / "manifest.json").write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match="无法读取"):
        Segment.open(tmp_path / "base")
    with pytest.raises(ValueError, match="重复的文档编号"):
        build_segment(tmp_path / "again", documents * 2, reference.tokenizer, ["title", "text"])
    with pytest.raises(ValueError, match="字段"):
        ScaledIndex(reference.tokenizer, segment=segment)
