"""Synonyms learnt from the corpus (engine.learnt): two words in the same company are paired,
a collocation or a word's pieces are not, the groups round-trip through the table format and
the hand table keeps its own words."""

from __future__ import annotations

import random

from kechuang.market.engine.index import MatchIndex
from kechuang.market.engine.learnt import LEARNT, learn_groups, merge, to_tsv
from kechuang.market.engine.synonyms import SynonymGroup, Thesaurus, parse_groups
from kechuang.market.engine.tokens import Tokenizer

CONTEXTS = ["外壳", "温升", "绕组", "散热片", "风道", "轴承", "机座", "端盖", "效率", "噪声"]
OTHER = ["香菇", "萃取", "发酵", "菌种", "烘干", "包装", "酱料", "风味", "杀菌", "灌装"]


def corpus(seed: int = 7) -> list[str]:
    """风冷 and 气冷 in the same company, never together; 蒙特 卡洛 always side by side."""
    rng = random.Random(seed)
    docs = []
    for number in range(120):
        word = "风冷" if number % 2 else "气冷"
        around = rng.sample(CONTEXTS, 5)
        docs.append(" ".join([*around[:2], word, *around[2:]]))
        docs.append(" ".join([*rng.sample(OTHER, 3), "蒙特", "卡洛", *rng.sample(OTHER, 3)]))
    return docs


def test_words_in_the_same_company_are_paired() -> None:
    groups = learn_groups(corpus(), str.split, max_share=0.5)
    pairs = {frozenset(g.terms) for g in groups}
    assert frozenset({"风冷", "气冷"}) in pairs
    assert frozenset({"蒙特", "卡洛"}) not in pairs  # a collocation is not a synonym
    learnt = next(g for g in groups if set(g.terms) == {"风冷", "气冷"})
    assert learnt.weight == 0.4
    assert learnt.reason.startswith(f"{LEARNT}：上下文相似度 ")
    assert "共同语境：" in learnt.reason


def test_a_thin_corpus_learns_nothing() -> None:
    assert learn_groups(["风冷 外壳", "气冷 外壳"], str.split) == ()
    assert learn_groups([], str.split) == ()


def test_round_trip_and_merge_keep_the_hand_table_first() -> None:
    hand = (SynonymGroup(("风冷", "空冷"), 0.8, "人工：风冷即空冷"),)
    learnt = (
        SynonymGroup(("风冷", "气冷"), 0.4, f"{LEARNT}：上下文相似度 0.90（共同语境：外壳）"),
        SynonymGroup(("机座", "机壳"), 0.4, f"{LEARNT}：上下文相似度 0.70（共同语境：端盖）"),
    )
    assert parse_groups(to_tsv(learnt)) == learnt
    assert merge(hand, learnt) == (hand[0], learnt[1])


def test_a_learnt_bridge_is_explained() -> None:
    learnt = (
        SynonymGroup(("风冷", "气冷"), 0.4, f"{LEARNT}：上下文相似度 0.90（共同语境：外壳）"),
    )
    index = MatchIndex(Tokenizer({"风冷", "气冷"}, bigrams=False), Thesaurus(learnt))
    index.add("d1", {"title": "气冷电机外壳"})
    hit = index.search("风冷")
    assert [h.doc_id for h in hit.hits] == ["d1"]
    term = hit.hits[0].terms[0]
    assert (term.query_term, term.matched_term) == ("风冷", "气冷")
    assert term.synonym is not None and term.synonym.reason.startswith(LEARNT)
