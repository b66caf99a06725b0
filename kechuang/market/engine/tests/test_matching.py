"""The matching engine without Django: normalisation, tokens, synonyms, BM25F, explanations,
filters, incremental updates, highlighting."""

from __future__ import annotations

import math

import pytest

from kechuang.market.engine.highlight import highlight
from kechuang.market.engine.index import MAX_QUERY_CHARS, MatchIndex
from kechuang.market.engine.normalize import _tables, normalize, to_simplified
from kechuang.market.engine.synonyms import Thesaurus, default_groups, parse_groups
from kechuang.market.engine.tokens import Tokenizer, char_bigrams, domain_terms
from kechuang.market.engine.vocabulary import reference_terms

DEMAND = "防爆电机温升过高，需要新的散热结构"
PATENT = "一种隔爆型电动机的冷却装置"


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer(reference_terms() | Thesaurus(default_groups()).terms())


@pytest.fixture
def index(tokenizer: Tokenizer) -> MatchIndex:
    index = MatchIndex(tokenizer, Thesaurus(default_groups()))
    index.add(
        1,
        {"title": PATENT, "text": "包括机壳、风道与散热片，降低隔爆电动机绕组温度。"},
        {"kind": "patent"},
    )
    index.add(
        2,
        {"title": "一种香菇酱的制备方法", "text": "以香菇为原料经超临界萃取制得。"},
        {"kind": "patent"},
    )
    index.add(
        3, {"title": "高效节能电机控制器", "text": "电机的矢量控制算法。"}, {"kind": "achievement"}
    )
    return index


def test_normalize_folds_traditional_full_width_and_case() -> None:
    assert to_simplified("隔爆型電動機的冷卻裝置") == "隔爆型电动机的冷却装置"
    assert to_simplified("軟體與資訊") == "软件与信息"
    assert normalize("ＬＥＤ晶片") == "led芯片"


def test_opencc_folds_characters_beyond_our_table() -> None:
    """紋 (螺紋鋼), 條 (鏈條) and 蘋 are not in data/traditional.tsv: OpenCC's t2s (the pinned
    wheel, dictionaries inside it) folds them; our word variants still come first."""
    chars, _ = _tables()
    assert not {ord(c) for c in "紋條蘋"} & set(chars)
    assert to_simplified("螺紋鋼與鏈條、蘋果") == "螺纹钢与链条、苹果"
    assert to_simplified("記憶體與軟體") == "内存与软件"
    assert to_simplified("电动机的冷却装置") == "电动机的冷却装置"  # simplified text is kept


def test_domain_terms_come_from_the_reference_industries() -> None:
    terms = reference_terms()
    assert {"防爆电机", "立方氮化硼", "电主轴"} <= terms
    nested = [{"name": "装备", "children": [{"name": "防爆电气装备", "keywords": ["防爆电机"]}]}]
    assert domain_terms(nested) == {"装备", "防爆电气装备", "防爆电机"}


def test_domain_term_is_kept_whole_and_split(tokenizer: Tokenizer) -> None:
    words = tokenizer.words("高速电主轴与防爆电机")
    assert "电主轴" in words and "防爆电机" in words and "电机" in words
    assert "与" not in words  # a stopword


def test_bigrams_are_prefixed_and_cover_every_run() -> None:
    assert char_bigrams("冷却装置，abc电机") == ["~冷却", "~却装", "~装置", "~电机"]


def test_the_issues_example_is_found_through_synonyms(index: MatchIndex) -> None:
    result = index.search(DEMAND)
    assert result.hits[0].doc_id == 1
    bridged = {t.query_term: t.matched_term for t in result.hits[0].terms if t.synonym}
    assert bridged["防爆"] in {"隔爆", "隔爆型"}
    assert bridged["电机"] == "电动机"
    assert bridged["散热"] == "冷却"
    assert all(hit.doc_id != 2 for hit in result.hits)  # the sauce shares nothing


def test_explanation_names_fields_weights_and_reason(index: MatchIndex) -> None:
    hit = index.search(DEMAND).hits[0]
    motor = next(t for t in hit.terms if t.query_term == "电机")
    assert motor.fields == {"title": 1, "text": 1}
    assert "GB/T 2900.25" in motor.label
    assert math.isclose(sum(t.contribution for t in hit.terms), hit.score, abs_tol=0.01)
    assert 0 < hit.coverage < 1
    assert "冷却" in hit.matched_terms() and "散热" in hit.query_terms()


def test_a_synonym_scores_less_than_the_word_itself(tokenizer: Tokenizer) -> None:
    index = MatchIndex(tokenizer, Thesaurus(default_groups()))
    index.add("word", {"title": "冷却风机"})
    index.add("synonym", {"title": "散热风机"})
    hits = index.search("冷却").hits
    assert [h.doc_id for h in hits] == ["word", "synonym"]
    assert hits[1].terms[0].synonym is not None


def test_a_document_with_word_and_synonym_counts_the_best_once(tokenizer: Tokenizer) -> None:
    index = MatchIndex(tokenizer, Thesaurus(default_groups()), bigram_weight=0.0)
    index.add("both", {"title": "电机 电动机"})
    index.add("one", {"title": "电机 转子"})
    both, one = index.search("电机").hits
    assert one.doc_id == "one"
    assert len([t for t in both.terms if t.query_term == "电机"]) == 1


def test_filters_and_exclusions(index: MatchIndex) -> None:
    assert [h.doc_id for h in index.search("电机", filters={"kind": "achievement"}).hits] == [3]
    assert [h.doc_id for h in index.search("电机", filters={"kind": {"patent"}}).hits] == [1]
    assert 1 not in [h.doc_id for h in index.search("电机", exclude=[1]).hits]


def test_incremental_update_and_removal(index: MatchIndex) -> None:
    index.add(2, {"title": "防爆电机散热器"}, {"kind": "patent"})
    assert index.search("散热器").hits[0].doc_id == 2
    index.remove(2)
    assert 2 not in index and len(index) == 2
    assert all(h.doc_id != 2 for h in index.search("散热器").hits)


def test_long_query_is_truncated_and_says_so(index: MatchIndex) -> None:
    result = index.search("电机" * MAX_QUERY_CHARS)
    assert result.truncated
    assert result.hits[0].doc_id in {1, 3}
    assert not index.search("电机").truncated


def test_empty_query_finds_nothing(index: MatchIndex) -> None:
    assert index.search("").hits == []
    assert index.search("的了和").hits == []


def test_bm25_idf_prefers_the_rare_term(tokenizer: Tokenizer) -> None:
    index = MatchIndex(tokenizer, None, {"text": 1.0}, bigram_weight=0.0)
    for n in range(5):
        index.add(n, {"text": "电机"})
    index.add("rare", {"text": "金刚石 电机"})
    hit = index.search("金刚石 电机").hits[0]
    assert hit.doc_id == "rare"
    rare = next(t for t in hit.terms if t.query_term == "金刚石")
    common = next(t for t in hit.terms if t.query_term == "电机")
    assert rare.contribution > 3 * common.contribution


def test_highlight_marks_terms_in_the_original_characters() -> None:
    pieces = highlight("隔爆型電動機的冷卻裝置", ["电动机", "冷却"])
    assert pieces == [
        ("隔爆型", False),
        ("電動機", True),
        ("的", False),
        ("冷卻", True),
        ("裝置", False),
    ]
    assert highlight("", ["x"]) == []


def test_synonym_table_is_checked() -> None:
    groups = parse_groups("a|b\t0.5\t理由\n# 注释\n")
    assert groups[0].terms == ("a", "b") and groups[0].weight == 0.5
    with pytest.raises(ValueError, match="第 1 行"):
        parse_groups("a|b\t0.5")
    with pytest.raises(ValueError, match="权重"):
        parse_groups("a|b\t1.5\t理由")
    expansions = {e.term: e.weight for e in Thesaurus(default_groups()).expand("防爆")}
    assert expansions["防爆"] == 1.0 and expansions["隔爆"] == 0.8
