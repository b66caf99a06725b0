"""The matching index at scale: a columnar base segment (`segment.Segment`, memory-mapped) and a
small in-memory delta (a `MatchIndex`) for the documents added or changed since the base was
built, with tombstones in the base for the removed and changed ones.

`ScaledIndex` has `MatchIndex`'s interface (`search`, `add`, `remove`, `meta`, `len`, `in`) and
its scores exactly: BM25F as `index.py` defines it, computed at query time from the counts with
the collection statistics (documents, per-field length totals, document frequencies) summed over
the live base and the delta. A search applies the filters first, as a boolean mask over the base's
ordinals, scores only the postings that pass, and picks the top k with `argpartition`; the
explanations (`TermMatch` with per-field counts, coverage) are built for those k only.
Compaction is a rebuild (`build_segment` again).
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from kechuang.market.engine.index import (
    BM25FIndex,
    Hit,
    MatchIndex,
    SearchResult,
    TermMatch,
    bm25_idf,
    wanted_values,
)
from kechuang.market.engine.segment import Segment
from kechuang.market.engine.synonyms import Expansion
from kechuang.market.engine.tokens import BIGRAM

# Below this share of survivors a posting list is intersected by binary search, above it gathered
SPARSE = 16
# A query term's matches: ordinals (ascending), scores, which expansion, per-field counts
Found = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
# Above this share of the documents matched, the totals are summed in a dense array
DENSE = 32


class _Allowed:
    """The base documents a search may return: a boolean mask over the ordinals (None: all live
    documents and there are no tombstones) and the survivors' sorted ordinals."""

    def __init__(self, mask: np.ndarray | None) -> None:
        self.mask = mask
        # int32 like the postings: searchsorted would otherwise cast the whole posting list
        self.survivors = np.flatnonzero(mask).astype(np.int32) if mask is not None else None

    def positions(self, docs: np.ndarray) -> np.ndarray | None:
        """Positions in `docs` (ascending ordinals) that pass; None: all of them."""
        if self.mask is None:
            return None
        survivors = self.survivors
        if len(survivors) * SPARSE < len(docs):
            found = np.searchsorted(docs, survivors)
            inside = found < len(docs)
            found, wanted = found[inside], survivors[inside]
            return found[docs[found] == wanted]
        return np.flatnonzero(self.mask[docs])


class ScaledIndex(BM25FIndex):
    def __init__(self, *args: Any, segment: Segment | None = None, **kwargs: Any) -> None:
        """The parameters as `BM25FIndex`'s, and the base `segment` (None: an empty one)."""
        super().__init__(*args, **kwargs)
        self.segment = segment or Segment.empty(self._field_names)
        if self.segment.fields != self._field_names:
            raise ValueError(f"索引段的字段 {self.segment.fields} 与索引的字段不同")
        size = self.segment.size
        self._dead = np.zeros(size, bool)
        self._dead_sorted: list[int] = []
        self._base_live = size
        self._base_totals = list(self.segment.totals)
        # the delta is keyed by ordinals after the base's, so base and delta never collide
        self._delta = MatchIndex(self.tokenizer, self.thesaurus, self.fields, *self.parameters)
        self._delta_ordinal: dict[Any, int] = {}
        self._delta_id: dict[int, Any] = {}
        self._next = size

    # --- documents ----------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._base_live + len(self._delta)

    def __contains__(self, doc_id: Any) -> bool:
        return doc_id in self._delta_ordinal or self._live_ordinal(doc_id) >= 0

    def _live_ordinal(self, doc_id: Any) -> int:
        ordinal = self.segment.ordinal(doc_id)
        return ordinal if ordinal >= 0 and not self._dead[ordinal] else -1

    @property
    def delta_size(self) -> int:
        return len(self._delta)

    def add(
        self, doc_id: Any, texts: Mapping[str, str], meta: Mapping[str, Any] | None = None
    ) -> None:
        """Index (or re-index) one document in the delta; its base copy, if any, is tombstoned."""
        self.remove(doc_id)
        ordinal = self._next
        self._next += 1
        self._delta.add(ordinal, texts, meta)
        self._delta_ordinal[doc_id] = ordinal
        self._delta_id[ordinal] = doc_id

    def remove(self, doc_id: Any) -> None:
        if doc_id in self._delta_ordinal:
            ordinal = self._delta_ordinal.pop(doc_id)
            del self._delta_id[ordinal]
            self._delta.remove(ordinal)
            return
        ordinal = self._live_ordinal(doc_id)
        if ordinal < 0:
            return
        self._dead[ordinal] = True
        bisect.insort(self._dead_sorted, ordinal)
        self._base_live -= 1
        lengths = self.segment.lengths[ordinal]
        self._base_totals = [int(a - n) for a, n in zip(self._base_totals, lengths, strict=True)]

    def meta(self, doc_id: Any) -> dict[str, Any]:
        if doc_id in self._delta_ordinal:
            return self._delta.meta(self._delta_ordinal[doc_id])
        ordinal = self._live_ordinal(doc_id)
        if ordinal < 0:
            raise KeyError(doc_id)
        return self.segment.meta(ordinal)

    # --- persistence of the delta (the base is its own directory) -----------------------------

    STATE_FORMAT = 1

    def delta_state(self) -> dict[str, Any]:
        """The tombstones and the delta as plain data (small: what changed since the base)."""
        return {
            "format": self.STATE_FORMAT,
            "dead": list(self._dead_sorted),
            "delta": self._delta.state(),
            "delta_ids": dict(self._delta_id),
            "next": self._next,
        }

    def restore_delta(self, state: Mapping[str, Any]) -> None:
        """Apply a `delta_state()` to this index (opened on the same base); ValueError when the
        state is of another format or does not fit the base."""
        if state.get("format") != self.STATE_FORMAT:
            raise ValueError(f"增量快照格式 {state.get('format')} 不是 {self.STATE_FORMAT}")
        dead = [int(o) for o in state["dead"]]
        if any(not 0 <= o < self.segment.size for o in dead) or state["next"] < self.segment.size:
            raise ValueError("增量快照与索引段不符")
        for ordinal in dead:
            self.remove(self.segment.doc_id(ordinal))
        self._delta = MatchIndex.from_state(state["delta"], self.tokenizer, self.thesaurus)
        self._delta_id = dict(state["delta_ids"])
        self._delta_ordinal = {doc_id: o for o, doc_id in self._delta_id.items()}
        self._next = state["next"]

    # --- statistics -----------------------------------------------------------------------------

    def _statistics(self) -> tuple[int, list[float]]:
        n = len(self)
        totals = [a + d for a, d in zip(self._base_totals, self._delta._totals, strict=True)]
        return n, [total / n if n else 1.0 for total in totals]

    def _dead_in(self, docs: np.ndarray) -> int:
        if not self._dead_sorted:
            return 0
        if len(self._dead_sorted) * SPARSE < len(docs):
            dead = np.asarray(self._dead_sorted, np.int32)
            found = np.searchsorted(docs, dead)
            inside = found < len(docs)
            return int(np.count_nonzero(docs[found[inside]] == dead[inside]))
        return int(np.count_nonzero(self._dead[docs]))

    # --- scoring ------------------------------------------------------------------------------

    def _term_scores(
        self,
        term: str,
        allowed: _Allowed,
        delta_allowed: set[int] | None,
        statistics: tuple[int, list[float]],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The ordinals (ascending) that contain `term` and pass, their BM25F scores (the
        arithmetic in `MatchIndex._term_scores`'s order, so the floats are the same) and their
        per-field counts."""
        docs, counts = self.segment.postings(term)
        delta = self._delta._postings.get(term, {})
        n, averages = statistics
        if not len(docs) and not delta:
            return np.empty(0, np.int64), np.empty(0), counts
        df = len(docs) - self._dead_in(docs) + len(delta)
        idf = bm25_idf(n, df)
        positions = allowed.positions(docs)
        if positions is not None:
            docs, counts = docs[positions], counts[positions]
        lengths = self.segment.lengths[docs]
        extra = sorted(o for o in delta if delta_allowed is None or o in delta_allowed)
        if extra:
            docs = np.concatenate([docs, np.asarray(extra, np.int64)])
            counts = np.concatenate([counts, np.asarray([delta[o] for o in extra])])
            more = np.asarray([self._delta._lengths[o] for o in extra])
            lengths = np.concatenate([lengths, more])
        tf = np.zeros(len(docs))
        for position, name in enumerate(self._field_names):
            norm = 1 - self.b + self.b * (lengths[:, position] / (averages[position] or 1.0))
            tf += self.fields[name] * counts[:, position].astype(np.float64) / norm
        scores = idf * tf * (self.k1 + 1) / (tf + self.k1)
        return docs.astype(np.int64), scores, counts

    def _best(
        self,
        expansions: list[Expansion],
        weight: float,
        allowed: _Allowed,
        delta_allowed: set[int] | None,
        statistics: tuple[int, list[float]],
    ) -> Found:
        """Per document the best of the word and its synonyms (the first on a tie): ordinals
        (ascending), scores, which expansion, and its per-field counts."""
        found = []
        for number, expansion in enumerate(expansions):
            docs, scores, counts = self._term_scores(
                expansion.term, allowed, delta_allowed, statistics
            )
            if len(docs):
                found.append((docs, scores * (expansion.weight * weight), number, counts))
        if not found:
            empty = np.empty(0, np.int64)
            return empty, np.empty(0), empty, np.empty((0, len(self._field_names)), np.int64)
        if len(found) == 1:
            docs, scores, number, counts = found[0]
            return docs, scores, np.full(len(docs), number), counts
        docs = np.concatenate([f[0] for f in found])
        scores = np.concatenate([f[1] for f in found])
        which = np.concatenate([np.full(len(f[0]), f[2]) for f in found])
        order = np.lexsort((which, -scores, docs))
        counts = np.concatenate([f[3] for f in found])[order]
        docs, scores, which = docs[order], scores[order], which[order]
        first = np.ones(len(docs), bool)
        first[1:] = docs[1:] != docs[:-1]
        return docs[first], scores[first], which[first], counts[first]

    def _allowed(
        self, filters: Mapping[str, Any] | None, exclude: Iterable[Any]
    ) -> tuple[_Allowed, set[int] | None]:
        """The filter as a mask over the base (the columns' codes) and a set over the delta."""
        excluded = set(exclude)
        wanted = wanted_values(filters)
        base_excluded = [o for o in map(self.segment.ordinal, excluded) if o >= 0]
        if not wanted and not base_excluded and not self._dead_sorted:
            base = _Allowed(None)
        else:
            mask = ~self._dead
            for key, values in wanted.items():
                mask &= self.segment.passes(key, values)
            mask[base_excluded] = False
            base = _Allowed(mask)
        if not wanted and not excluded:
            return base, None
        delta = {
            ordinal
            for ordinal, meta in self._delta._meta.items()
            if self._delta_id[ordinal] not in excluded
            and all(meta.get(key) in values for key, values in wanted.items())
        }
        return base, delta

    def search(
        self,
        query: str,
        k: int = 10,
        filters: Mapping[str, Any] | None = None,
        exclude: Iterable[Any] = (),
    ) -> SearchResult:
        """The `k` best documents for `query` among those whose metadata pass `filters`
        ({key: value or set of values}), with their explanations (as `MatchIndex.search`)."""
        started = time.perf_counter()
        plan, truncated = self.query_plan(query)
        allowed, delta_allowed = self._allowed(filters, exclude)
        statistics = self._statistics()
        per_term = [
            self._best(expansions, weight, allowed, delta_allowed, statistics)
            for _, weight, expansions in plan
        ]
        ranked = self._top(per_term, k)
        hits = self._hits(ranked, plan, per_term)
        words = [term for term, _, _ in plan if not term.startswith(BIGRAM)]
        elapsed = (time.perf_counter() - started) * 1000
        return SearchResult(hits, truncated, words, round(elapsed, 2))

    def _top(self, per_term: list[Found], k: int) -> list[tuple[int, float]]:
        """The k best (ordinal, total) by score, ties by str(doc id) as `MatchIndex` orders."""
        if not per_term or k <= 0:
            return []
        docs = np.concatenate([t[0] for t in per_term])
        if not len(docs):
            return []
        scores = np.concatenate([t[1] for t in per_term])
        # bincount adds in array order (plan order per document): the same sums as MatchIndex
        if len(docs) * DENSE > self._next:
            totals = np.bincount(docs, weights=scores, minlength=self._next)
            touched = np.zeros(self._next, bool)
            touched[docs] = True
            unique = np.flatnonzero(touched)
            totals = totals[unique]
        else:
            unique, inverse = np.unique(docs, return_inverse=True)
            totals = np.bincount(inverse, weights=scores)
        if len(totals) > k:
            threshold = -np.partition(-totals, k - 1)[k - 1]
            keep = np.flatnonzero(totals >= threshold)
            unique, totals = unique[keep], totals[keep]
        candidates = [
            (int(o), float(s), self._doc_id(int(o))) for o, s in zip(unique, totals, strict=True)
        ]
        candidates.sort(key=lambda c: (-c[1], str(c[2])))
        return [(ordinal, score) for ordinal, score, _ in candidates[:k]]

    def _doc_id(self, ordinal: int) -> Any:
        if ordinal >= self.segment.size:
            return self._delta_id[ordinal]
        return self.segment.doc_id(ordinal)

    def _hits(
        self,
        ranked: list[tuple[int, float]],
        plan: list[tuple[str, float, list[Expansion]]],
        per_term: list[Found],
    ) -> list[Hit]:
        """The hits of the ranked ordinals with their explanations (the query terms in plan
        order, as `MatchIndex` appends them; one binary search per term for all k)."""
        ordinals = np.asarray([ordinal for ordinal, _ in ranked], np.int64)
        matched: list[list[TermMatch]] = [[] for _ in ranked]
        covered = [0.0] * len(ranked)
        for (query_term, weight, expansions), (docs, scores, which, counts) in zip(
            plan, per_term, strict=True
        ):
            if not len(docs) or not len(ordinals):
                continue
            found = np.minimum(np.searchsorted(docs, ordinals), len(docs) - 1)
            for number in np.flatnonzero(docs[found] == ordinals):
                position = int(found[number])
                expansion = expansions[int(which[position])]
                fields = {
                    name: count
                    for name, count in zip(
                        self._field_names, counts[position].tolist(), strict=True
                    )
                    if count
                }
                contribution = round(float(scores[position]), 4)
                matched[number].append(
                    TermMatch(query_term, expansion.term, fields, contribution, expansion.group)
                )
                if not query_term.startswith(BIGRAM):
                    covered[number] += weight * expansion.weight
        word_weight = sum(w for term, w, _ in plan if not term.startswith(BIGRAM)) or 1.0
        return [
            Hit(
                self._doc_id(ordinal),
                round(score, 4),
                round(min(1.0, covered[number] / word_weight), 3),
                tuple(sorted(matched[number], key=lambda t: -t.contribution)),
                self._meta_of(ordinal),
            )
            for number, (ordinal, score) in enumerate(ranked)
        ]

    def _meta_of(self, ordinal: int) -> dict[str, Any]:
        if ordinal >= self.segment.size:
            return self._delta.meta(ordinal)
        return self.segment.meta(ordinal)
