"""The matching index: BM25F over weighted fields (title, text, keywords) with synonym expansion,
filters and an explanation of every hit.

BM25F (Robertson & Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond", 2009,
§3.6): a term's frequencies in the fields are length-normalised per field and added with the
fields' weights before the one saturation `tf·(k1+1)/(tf+k1)`, times the term's idf
`ln(1 + (N − df + 0.5)/(df + 0.5))`. A query word also looks for its synonyms
(`synonyms.Thesaurus`); per document the best of the word and its synonyms counts (a document
with both 电机 and 电动机 is not counted twice), weighted by the synonym group's weight.
Character bigrams count with `bigram_weight`.

The index is in memory and incremental (`add`, `remove`): the database is the record, the index
is derived data rebuilt from it (`manage.py rebuild_match_index`).
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kechuang.market.engine.synonyms import Expansion, SynonymGroup, Thesaurus
from kechuang.market.engine.tokens import BIGRAM, Tokenizer

MAX_QUERY_CHARS = 2000
DEFAULT_FIELDS = {"title": 3.0, "keywords": 1.5, "text": 1.0}


def wanted_values(filters: Mapping[str, Any] | None) -> dict[str, set[Any]]:
    """A search's filters as {key: set of accepted values}: a single value or a collection per
    key; an empty value (None, "", [], ()) filters nothing."""
    return {
        key: (set(value) if isinstance(value, (set, list, tuple, frozenset)) else {value})
        for key, value in (filters or {}).items()
        if value not in (None, "", [], ())
    }


@dataclass(frozen=True)
class TermMatch:
    """One query word's part in a hit: which document term matched, through which synonym group,
    in which fields (term frequency per field), and its share of the score."""

    query_term: str
    matched_term: str
    fields: dict[str, int]
    contribution: float
    synonym: SynonymGroup | None = None

    @property
    def is_bigram(self) -> bool:
        return self.query_term.startswith(BIGRAM)

    @property
    def label(self) -> str:
        if self.is_bigram:
            return f"字面重合“{self.matched_term[1:]}”"
        if self.synonym is not None:
            return f"{self.query_term} ≈ {self.matched_term}（{self.synonym.reason}）"
        return self.query_term


@dataclass(frozen=True)
class Hit:
    doc_id: Any
    score: float
    coverage: float  # share of the query's words (by weight) the document matched, 0–1
    terms: tuple[TermMatch, ...]
    meta: Mapping[str, Any] = field(default_factory=dict)

    def matched_terms(self) -> list[str]:
        """The document's terms that matched (for highlighting), words before bigrams."""
        words = [t.matched_term for t in self.terms if not t.is_bigram]
        grams = [t.matched_term[1:] for t in self.terms if t.is_bigram]
        return list(dict.fromkeys(words + grams))

    def query_terms(self) -> list[str]:
        words = [t.query_term for t in self.terms if not t.is_bigram]
        grams = [t.query_term[1:] for t in self.terms if t.is_bigram]
        return list(dict.fromkeys(words + grams))


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    truncated: bool
    query_words: list[str]
    elapsed_ms: float


def bm25_idf(n: int, df: int) -> float:
    """The idf of a term `df` of `n` documents contain: ln(1 + (N − df + 0.5)/(df + 0.5))."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


class DocumentIndex:
    """What every matching index offers beside `add`: adding many (id, texts, meta) at once."""

    def add(
        self, doc_id: Any, texts: Mapping[str, str], meta: Mapping[str, Any] | None = None
    ) -> None:
        raise NotImplementedError

    def add_many(
        self, documents: Iterable[tuple[Any, Mapping[str, str], Mapping[str, Any]]]
    ) -> None:
        for doc_id, texts, meta in documents:
            self.add(doc_id, texts, meta)


class BM25FIndex(DocumentIndex):
    """The BM25F parameters (the tokenizer, the thesaurus, the weighted fields, k1, b and the
    bigrams' weight) and the query plan they make, shared by `MatchIndex` and `ScaledIndex`."""

    def __init__(
        self,
        tokenizer: Tokenizer,
        thesaurus: Thesaurus | None = None,
        fields: Mapping[str, float] = DEFAULT_FIELDS,
        k1: float = 1.2,
        b: float = 0.75,
        bigram_weight: float = 0.7,
    ) -> None:
        self.tokenizer = tokenizer
        self.thesaurus = thesaurus or Thesaurus()
        self.fields = dict(fields)
        self._field_names = list(self.fields)
        self.k1, self.b, self.bigram_weight = k1, b, bigram_weight

    @property
    def parameters(self) -> tuple[float, float, float]:
        """(k1, b, bigram_weight)."""
        return self.k1, self.b, self.bigram_weight

    def query_plan(self, query: str) -> tuple[list[tuple[str, float, list[Expansion]]], bool]:
        """The query's words (with their weight and expansions) and bigrams, and whether the query
        was cut to `MAX_QUERY_CHARS`."""
        truncated = len(query) > MAX_QUERY_CHARS
        query = query[:MAX_QUERY_CHARS]
        plan: list[tuple[str, float, list[Expansion]]] = []
        for word, count in Counter(self.tokenizer.words(query)).items():
            plan.append((word, float(count), self.thesaurus.expand(word)))
        if self.tokenizer.bigrams:
            grams = Counter(t for t in self.tokenizer.tokens(query) if t.startswith(BIGRAM))
            for gram, count in grams.items():
                plan.append((gram, self.bigram_weight * count, [Expansion(gram, 1.0, None)]))
        return plan, truncated


class MatchIndex(BM25FIndex):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """The parameters as `BM25FIndex`'s."""
        super().__init__(*args, **kwargs)
        self._postings: dict[str, dict[Any, list[int]]] = defaultdict(dict)
        self._lengths: dict[Any, list[int]] = {}
        self._totals = [0] * len(self._field_names)
        self._meta: dict[Any, dict[str, Any]] = {}
        self._terms_of: dict[Any, set[str]] = {}

    def __len__(self) -> int:
        return len(self._lengths)

    def __contains__(self, doc_id: Any) -> bool:
        return doc_id in self._lengths

    def add(
        self, doc_id: Any, texts: Mapping[str, str], meta: Mapping[str, Any] | None = None
    ) -> None:
        """Index (or re-index) one document: `texts` maps field names to their text."""
        if doc_id in self._lengths:
            self.remove(doc_id)
        lengths = []
        terms: set[str] = set()
        for position, name in enumerate(self._field_names):
            counts = Counter(self.tokenizer.tokens(texts.get(name) or ""))
            lengths.append(sum(counts.values()))
            for term, count in counts.items():
                self._postings[term].setdefault(doc_id, [0] * len(self._field_names))[position] = (
                    count
                )
                terms.add(term)
        self._lengths[doc_id] = lengths
        self._totals = [a + b for a, b in zip(self._totals, lengths, strict=True)]
        self._meta[doc_id] = dict(meta or {})
        self._terms_of[doc_id] = terms

    def remove(self, doc_id: Any) -> None:
        if doc_id not in self._lengths:
            return
        for term in self._terms_of.pop(doc_id):
            postings = self._postings[term]
            postings.pop(doc_id, None)
            if not postings:
                del self._postings[term]
        lengths = self._lengths.pop(doc_id)
        self._totals = [a - b for a, b in zip(self._totals, lengths, strict=True)]
        self._meta.pop(doc_id, None)

    def meta(self, doc_id: Any) -> dict[str, Any]:
        return self._meta[doc_id]

    # --- persistence ----------------------------------------------------------------------------

    STATE_FORMAT = 1

    def state(self) -> dict[str, Any]:
        """The index's arrays as plain data (to persist; the tokenizer and thesaurus are rebuilt
        by the loader, they are configuration, not data)."""
        return {
            "format": self.STATE_FORMAT,
            "fields": self.fields,
            "params": self.parameters,
            "postings": dict(self._postings),
            "lengths": self._lengths,
            "totals": self._totals,
            "meta": self._meta,
            "terms_of": self._terms_of,
        }

    @classmethod
    def from_state(
        cls, state: Mapping[str, Any], tokenizer: Tokenizer, thesaurus: Thesaurus | None = None
    ) -> MatchIndex:
        """An index from `state()`; ValueError when the state is of another format."""
        if state.get("format") != cls.STATE_FORMAT:
            raise ValueError(f"索引快照格式 {state.get('format')} 不是 {cls.STATE_FORMAT}")
        k1, b, bigram_weight = state["params"]
        index = cls(tokenizer, thesaurus, state["fields"], k1, b, bigram_weight)
        index._postings = defaultdict(dict, state["postings"])
        index._lengths = state["lengths"]
        index._totals = list(state["totals"])
        index._meta = state["meta"]
        index._terms_of = state["terms_of"]
        return index

    # --- scoring ------------------------------------------------------------------------------

    def _idf(self, term: str) -> float:
        return bm25_idf(len(self._lengths), len(self._postings.get(term, ())))

    def _term_scores(self, term: str, allowed: set[Any] | None) -> dict[Any, float]:
        postings = self._postings.get(term)
        if not postings:
            return {}
        n = len(self._lengths)
        averages = [total / n if n else 1.0 for total in self._totals]
        idf = self._idf(term)
        weights = [self.fields[name] for name in self._field_names]
        k1, b = self.k1, self.b
        scores = {}
        for doc_id, counts in postings.items():
            if allowed is not None and doc_id not in allowed:
                continue
            lengths = self._lengths[doc_id]
            tf = 0.0
            for position, count in enumerate(counts):
                if count:
                    norm = 1 - b + b * (lengths[position] / (averages[position] or 1.0))
                    tf += weights[position] * count / norm
            scores[doc_id] = idf * tf * (k1 + 1) / (tf + k1)
        return scores

    def _allowed(
        self, filters: Mapping[str, Any] | None, exclude: Iterable[Any]
    ) -> set[Any] | None:
        excluded = set(exclude)
        if not filters and not excluded:
            return None
        wanted = wanted_values(filters)
        return {
            doc_id
            for doc_id, meta in self._meta.items()
            if doc_id not in excluded
            and all(meta.get(key) in values for key, values in wanted.items())
        }

    def search(
        self,
        query: str,
        k: int = 10,
        filters: Mapping[str, Any] | None = None,
        exclude: Iterable[Any] = (),
    ) -> SearchResult:
        """The `k` best documents for `query` among those whose metadata pass `filters`
        ({key: value or set of values}), with their explanations."""
        started = time.perf_counter()
        plan, truncated = self.query_plan(query)
        allowed = self._allowed(filters, exclude)
        totals: dict[Any, float] = defaultdict(float)
        matched: dict[Any, list[TermMatch]] = defaultdict(list)
        covered: dict[Any, float] = defaultdict(float)
        word_weight = sum(weight for term, weight, _ in plan if not term.startswith(BIGRAM)) or 1.0
        for query_term, weight, expansions in plan:
            best: dict[Any, tuple[float, Expansion]] = {}
            for expansion in expansions:
                for doc_id, score in self._term_scores(expansion.term, allowed).items():
                    score *= expansion.weight * weight
                    if doc_id not in best or score > best[doc_id][0]:
                        best[doc_id] = (score, expansion)
            for doc_id, (score, expansion) in best.items():
                totals[doc_id] += score
                matched[doc_id].append(self._term_match(doc_id, query_term, expansion, score))
                if not query_term.startswith(BIGRAM):
                    covered[doc_id] += weight * expansion.weight
        ranked = sorted(totals.items(), key=lambda item: (-item[1], str(item[0])))[:k]
        hits = [
            Hit(
                doc_id,
                round(score, 4),
                round(min(1.0, covered[doc_id] / word_weight), 3),
                tuple(sorted(matched[doc_id], key=lambda t: -t.contribution)),
                self._meta.get(doc_id, {}),
            )
            for doc_id, score in ranked
        ]
        words = [term for term, _, _ in plan if not term.startswith(BIGRAM)]
        elapsed = (time.perf_counter() - started) * 1000
        return SearchResult(hits, truncated, words, round(elapsed, 2))

    def _term_match(
        self, doc_id: Any, query_term: str, expansion: Expansion, score: float
    ) -> TermMatch:
        counts = self._postings[expansion.term][doc_id]
        fields = {
            name: count for name, count in zip(self._field_names, counts, strict=True) if count
        }
        return TermMatch(query_term, expansion.term, fields, round(score, 4), expansion.group)
