"""The optional dense encoder (engine/dense.py): the word2vec text format read and written,
idf-weighted text vectors, reciprocal rank fusion, and the hybrid index that keeps every hit's
explanation (lexical terms, or "语义相近" with the cosine when only the vectors found it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kechuang.market.engine.dense import (
    Encoder,
    FusedHit,
    HybridIndex,
    reciprocal_rank_fusion,
    train_vectors,
)
from kechuang.market.engine.index import MatchIndex
from kechuang.market.engine.tokens import Tokenizer

TOKENIZER = Tokenizer({"防爆电机", "隔爆电动机"}, bigrams=False, search_mode=False)


def _encoder() -> Encoder:
    # 防爆电机 and 隔爆电动机 point the same way; 香菇 elsewhere
    words = ["防爆电机", "隔爆电动机", "散热", "香菇", "萃取"]
    vectors = np.array(
        [[1, 0, 0], [0.96, 0.28, 0], [0.6, 0.8, 0], [0, 0, 1], [0, 0.1, 0.99]], dtype=np.float32
    )
    return Encoder(words, vectors, name="test")


def _hybrid() -> HybridIndex:
    index = HybridIndex(MatchIndex(TOKENIZER), _encoder(), depth=10)
    index.add("motor", {"title": "隔爆电动机", "text": "散热"}, {"kind": "achievement", "area": 1})
    index.add("mushroom", {"title": "香菇", "text": "萃取"}, {"kind": "achievement", "area": 2})
    index.add("demand", {"title": "防爆电机", "text": "散热"}, {"kind": "demand", "area": 1})
    return index


def test_word2vec_text_format_round_trips(tmp_path: Path) -> None:
    encoder = _encoder()
    path = encoder.save(tmp_path / "model")
    assert path.read_text(encoding="utf-8").splitlines()[0] == "5 3"
    loaded = Encoder.load(tmp_path / "model")
    assert loaded.dimension == 3
    assert sorted(loaded.position) == sorted(encoder.position)
    row = loaded.position["隔爆电动机"]
    assert np.allclose(
        loaded.vectors[row], encoder.vectors[encoder.position["隔爆电动机"]], atol=1e-4
    )
    # without the header line too
    (tmp_path / "bare").mkdir()
    (tmp_path / "bare" / "vectors.txt").write_text("甲 1 0\n乙 0 1\n", encoding="utf-8")
    assert Encoder.load(tmp_path / "bare").dimension == 2


def test_a_missing_or_malformed_model_is_a_chinese_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"没有 vectors\.txt"):
        Encoder.load(tmp_path)
    (tmp_path / "vectors.txt").write_text("甲 1 0\n乙 1 x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="第 2 行"):
        Encoder.load(tmp_path)
    (tmp_path / "vectors.txt").write_text("甲 1 0\n乙 1 0 0\n", encoding="utf-8")
    with pytest.raises(ValueError, match="维数"):
        Encoder.load(tmp_path)


def test_text_vectors_are_idf_weighted_unit_vectors() -> None:
    encoder = _encoder()
    assert encoder.encode(["未知"]) is None
    vector = encoder.encode(["防爆电机"])
    assert vector is not None
    assert np.allclose(vector, [1, 0, 0])
    for words in (["防爆电机", "散热"], ["防爆电机"], ["防爆电机"]):
        encoder.observe(words)
    # 散热 is rarer than 防爆电机 now: it weighs more in the mean
    both = encoder.encode(["防爆电机", "散热"])
    assert both is not None
    assert float(np.linalg.norm(both)) == pytest.approx(1.0)
    assert encoder.idf("散热") > encoder.idf("防爆电机")
    assert both[1] > 0.5  # pulled towards 散热 (0.6, 0.8, 0) more than an even mean (0.4)


def test_reciprocal_rank_fusion_adds_one_over_sixty_plus_rank() -> None:
    fused = reciprocal_rank_fusion([["a", "b"], ["b", "c"]])
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["c"] == pytest.approx(1 / 62)
    assert max(fused, key=fused.__getitem__) == "b"


def test_a_hit_found_by_the_vectors_alone_says_so() -> None:
    index = _hybrid()
    result = index.search("防爆电机", k=5, filters={"kind": {"achievement"}})
    ids = [hit.doc_id for hit in result.hits]
    assert ids[0] == "motor"  # no shared word: found by the vectors
    top = result.hits[0]
    assert isinstance(top, FusedHit)
    assert top.semantic_only
    # the document's vector mixes 隔爆电动机 (0.96, 0.28, 0) and 散热 (0.6, 0.8, 0), equal idf
    mixed = np.array([0.96 + 0.6, 0.28 + 0.8, 0.0])
    assert top.similarity == pytest.approx(round(mixed[0] / np.linalg.norm(mixed), 3))
    assert top.semantic_label == f"语义相近（向量余弦 {top.similarity:.2f}）"
    assert "demand" not in ids  # the kind filter holds on the dense side too


def test_a_lexical_hit_keeps_its_terms_and_gains_its_cosine() -> None:
    index = _hybrid()
    hit = index.search("散热", k=5, filters={"kind": {"achievement"}}).hits[0]
    assert hit.doc_id == "motor"
    assert [t.matched_term for t in hit.terms] == ["散热"]
    assert hit.similarity is not None and not hit.semantic_only
    assert hit.fused == pytest.approx(round(2 / 61, 5))  # first in both rankings


def test_filters_exclusions_and_removals_hold_on_both_sides() -> None:
    index = _hybrid()
    ids = [h.doc_id for h in index.search("防爆电机 散热", k=5, filters={"area": 2}).hits]
    assert ids == ["mushroom"] or ids == []  # only area 2 may appear
    ids = [h.doc_id for h in index.search("防爆电机", k=5, exclude=["demand"]).hits]
    assert "demand" not in ids and "motor" in ids
    index.remove("motor")
    assert "motor" not in [h.doc_id for h in index.search("防爆电机", k=5).hits]
    assert len(index) == 2
    index.add("motor", {"title": "香菇", "text": ""}, {"kind": "achievement", "area": 1})
    motor = [h for h in index.search("萃取", k=5).hits if h.doc_id == "motor"]
    assert motor and motor[0].similarity is not None  # re-added with its new text's vector


def test_vectors_trained_on_a_corpus_bring_co_occurring_words_together() -> None:
    texts = ["防爆电机 散热 风道 温升"] * 6 + ["隔爆电动机 散热 风道 温升"] * 6
    texts += ["香菇 萃取 香味 原料"] * 6 + ["香菇酱 萃取 香味 原料"] * 6
    encoder = train_vectors(texts, TOKENIZER.words, dimension=4, min_count=3)
    near = encoder.encode(["防爆电机"]) @ encoder.encode(["隔爆电动机"])
    far = encoder.encode(["防爆电机"]) @ encoder.encode(["香菇"])
    assert near > far + 0.5
    with pytest.raises(ValueError, match="语料太少"):
        train_vectors(["甲"], TOKENIZER.words)


def _full_sort_ranking(
    index: HybridIndex, query: str, k: int, allowed: Callable[[Any], bool]
) -> list[tuple[Any, float]]:
    """The ranking as it was computed before the argpartition: a stable sort of every row."""
    vector = index.encoder.encode(index.lexical.tokenizer.words(query))
    assert vector is not None
    similarity = index._vectors() @ vector
    ranked = []
    for row in np.argsort(-similarity, kind="stable"):
        doc_id = index._ids[row]
        if doc_id is not None and allowed(doc_id):
            ranked.append((doc_id, float(similarity[row])))
            if len(ranked) >= k:
                break
    return ranked


def test_the_dense_ranking_is_the_full_sort_s_with_ties_holes_and_filters() -> None:
    words = ["防爆电机", "隔爆电动机", "散热", "香菇", "萃取"]
    index = HybridIndex(MatchIndex(TOKENIZER), _encoder(), depth=10)
    rng = np.random.default_rng(7)
    # 300 documents of one or two words each: many exact ties among them
    for number in range(300):
        title = " ".join(rng.choice(words, size=int(rng.integers(1, 3)), replace=False))
        index.add(number, {"title": title, "text": ""}, {})
    assert len(index.dense_ranking("散热", 5, lambda doc_id: True)) == 5  # the rows stacked
    for number in range(0, 300, 7):  # holes: removed, some of them re-added (a new row)
        index.remove(number)
        if number % 2:
            index.add(number, {"title": "散热", "text": ""}, {})
    index.add(1000, {"title": "香菇", "text": ""}, {})
    index.remove(1000)  # removed before its row reached the matrix
    index.add(1001, {"title": "香菇", "text": ""}, {})
    index.remove(1)  # removed while 1001 is pending
    filters: list[Callable[[Any], bool]] = [
        lambda doc_id: True,
        lambda doc_id: doc_id % 3 == 0,
        lambda doc_id: doc_id == 299,  # one document passes: the lead widens to all rows
        lambda doc_id: False,
    ]
    seen_ties = False
    for query in words:
        for allowed in filters:
            for k in (1, 5, 40, 100, 400):
                expected = _full_sort_ranking(index, query, k, allowed)
                assert index.dense_ranking(query, k, allowed) == expected
                scores = [score for _, score in expected]
                seen_ties = seen_ties or len(set(scores)) < len(scores)
    assert seen_ties
    assert index.dense_ranking("散热", 5, lambda doc_id: doc_id == 1000) == []
    everything = [d for d, _ in index.dense_ranking("散热", 400, lambda doc_id: True)]
    assert everything.count(7) == 1 and 1001 in everything
    assert 14 not in everything and 1 not in everything and len(everything) == 300 - 43 + 21 - 1 + 1
