"""Chinese tokenisation: jieba words (with a domain dictionary) beside character bigrams.

jieba's own dictionary does not know many of the plan's technology terms (防爆电机, 电主轴,
立方氮化硼 …); they are added from the reference file's industry keywords and the synonym
table (`domain_terms`), so a term is kept whole and also split into its parts (jieba's search
mode), and a query for 电主轴 does not become 电 / 主轴. Character bigrams of every Chinese run
are indexed beside the words (prefixed with "~" so they never collide with a two-character word):
they catch what the segmenter cuts differently in the query and the document. On the CSL proxy
tasks words + bigrams beat words alone (see `bench/bench_matching.py`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import jieba

from kechuang.market.engine.normalize import normalize

jieba.setLogLevel(logging.WARNING)

BIGRAM = "~"
CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
WORDLIKE = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]")
# Function words and the boilerplate of demands, patents and abstracts: they match everything.
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "在",
        "是",
        "有",
        "为",
        "对",
        "中",
        "等",
        "将",
        "把",
        "被",
        "从",
        "由",
        "以",
        "于",
        "其",
        "并",
        "且",
        "也",
        "又",
        "而",
        "则",
        "该",
        "本",
        "此",
        "这",
        "那",
        "一种",
        "一个",
        "一类",
        "及其",
        "以及",
        "进行",
        "通过",
        "采用",
        "利用",
        "使用",
        "基于",
        "关于",
        "用于",
        "具有",
        "包括",
        "提供",
        "实现",
        "提高",
        "提出",
        "研究",
        "分析",
        "方法",
        "问题",
        "需要",
        "需求",
        "希望",
        "寻求",
        "解决",
        "我们",
        "公司",
        "企业",
        "新的",
        "新",
        "相关",
        "技术",
        "方面",
        "可以",
        "能够",
        "主要",
        "其中",
        "所述",
        "结果",
        "表明",
        "发现",
        "本文",
        "文章",
        "论文",
        "过程",
        "影响",
        "作用",
        "情况",
        "目前",
        "现有",
        "上述",
        "如何",
        "什么",
        "较",
        "更",
        "很",
        "不",
        "没有",
        "一",
        "二",
        "三",
        "个",
        "之",
        "the",
        "of",
        "and",
        "a",
        "an",
        "in",
        "on",
        "for",
        "to",
        "with",
        "by",
        "is",
        "are",
    ]
)


def domain_terms(industries: Iterable[dict]) -> set[str]:
    """The technology terms of the plan: every industry's and sub-industry's name and keywords
    (the `industries` list of `data/reference/nanyang.yaml`), normalised."""
    terms: set[str] = set()
    stack = list(industries)
    while stack:
        node = stack.pop()
        for term in [node.get("name", ""), *node.get("keywords", [])]:
            term = normalize(str(term)).strip()
            if len(term) >= 2:
                terms.add(term)
        stack.extend(node.get("children", []) or node.get("subindustries", []) or [])
    return terms


@dataclass
class Tokenizer:
    """`words(text)`: normalised jieba words without stopwords; `tokens(text)`: words + bigrams."""

    terms: set[str] = field(default_factory=set)
    bigrams: bool = True
    search_mode: bool = True
    stopwords: frozenset[str] = STOPWORDS

    def __post_init__(self) -> None:
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for term in sorted(self.terms):
            self._jieba.add_word(term, freq=20000)

    def words(self, text: str) -> list[str]:
        text = normalize(text)
        cut = self._jieba.cut_for_search(text) if self.search_mode else self._jieba.cut(text)
        return [
            word
            for word in (w.strip() for w in cut)
            if word and word not in self.stopwords and WORDLIKE.search(word)
        ]

    def tokens(self, text: str) -> list[str]:
        result = self.words(text)
        if self.bigrams:
            result.extend(char_bigrams(normalize(text)))
        return result


def char_bigrams(text: str) -> list[str]:
    """Overlapping character bigrams of every run of Chinese characters, prefixed with "~"."""
    grams = []
    for run in CJK_RUN.findall(text):
        grams.extend(BIGRAM + run[i : i + 2] for i in range(len(run) - 1))
    return grams
