"""The optional dense encoder, fused with the lexical ranking by reciprocal rank.

Nothing is shipped or downloaded. `settings.MARKET_ENCODER_DIR` (environment
`KECHUANG_MARKET_ENCODER_DIR`) may name a local directory holding word vectors in the word2vec
text format (`vectors.txt`: an optional "count dimension" header line, then one word and its
numbers per line — the format of the published Chinese word vectors, e.g. Li et al., "Analogical
Reasoning on Chinese Morphological and Semantic Relations", ACL 2018), or vectors the platform
trained on its own text (`train_vectors`, run by `manage.py train_match_encoder`: positive PMI of
the words within a window, reduced by a truncated SVD — Levy, Goldberg & Dagan, TACL 2015, §3).

A text's vector is the idf-weighted mean of its words' vectors, normalised (a smooth-inverse-
frequency average, Arora, Liang & Ma, ICLR 2017, without the principal-component removal); two
texts compare by cosine. `HybridIndex` keeps the lexical `MatchIndex` and these vectors side by
side, ranks both, and fuses the two rankings by reciprocal rank (Cormack, Clarke & Büttcher,
SIGIR 2009: score = Σ 1 / (60 + rank)). A hit keeps its lexical explanation and adds its cosine; a
hit found by the vectors alone says so ("语义相近"), so every match still explains itself.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse.linalg import svds

from kechuang.market.engine.index import (
    DocumentIndex,
    Hit,
    MatchIndex,
    SearchResult,
    wanted_values,
)
from kechuang.market.engine.learnt import _ppmi, _vocabulary

RRF_K = 60
VECTORS_FILE = "vectors.txt"


@dataclass(frozen=True)
class FusedHit(Hit):
    """A hit of the fused ranking: the lexical explanation (if the lexical side found it) and the
    cosine of the two texts' vectors (if the dense side found it); `fused` is its RRF score."""

    similarity: float | None = None
    fused: float = 0.0

    @property
    def semantic_only(self) -> bool:
        return not self.terms and self.similarity is not None

    @property
    def semantic_label(self) -> str:
        if self.similarity is None:
            return ""
        return f"语义相近（向量余弦 {self.similarity:.2f}）"


class Encoder:
    """Word vectors and the idf of the words; `encode(words)` → a unit vector (or None when no
    word is known)."""

    def __init__(self, words: list[str], vectors: np.ndarray, name: str = "") -> None:
        if vectors.ndim != 2 or vectors.shape[0] != len(words):
            raise ValueError(f"词向量的行数 {vectors.shape[0]} 与词数 {len(words)} 不一致")
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        self.vectors = (vectors / norms).astype(np.float32)
        self.position = {word: row for row, word in enumerate(words)}
        self.dimension = int(vectors.shape[1])
        self.name = name
        self._df: Counter[str] = Counter()
        self._documents = 0

    @classmethod
    def load(cls, directory: Path, limit: int | None = None) -> Encoder:
        """The vectors of `directory/vectors.txt` (word2vec text format). ValueError, in Chinese,
        when the file is missing or malformed."""
        path = Path(directory) / VECTORS_FILE
        if not path.is_file():
            raise ValueError(f"向量模型目录 {directory} 中没有 {VECTORS_FILE}（word2vec 文本格式）")
        words: list[str] = []
        rows: list[np.ndarray] = []
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                parts = line.rstrip().split(" ")
                if number == 1 and len(parts) == 2 and all(p.isdigit() for p in parts):
                    continue  # the "count dimension" header
                if len(parts) < 2:
                    continue
                try:
                    rows.append(np.asarray(parts[1:], dtype=np.float32))
                except ValueError as exc:
                    raise ValueError(f"{path} 第 {number} 行不是“词 数值…”：{exc}") from exc
                if rows[-1].shape != rows[0].shape:
                    raise ValueError(f"{path} 第 {number} 行的维数与第一行不同")
                words.append(parts[0])
                if limit is not None and len(words) >= limit:
                    break
        if not words:
            raise ValueError(f"{path} 中没有词向量")
        return cls(words, np.vstack(rows), name=Path(directory).name)

    def save(self, directory: Path) -> Path:
        """Write the vectors in the word2vec text format (what `load` reads)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / VECTORS_FILE
        words = sorted(self.position, key=self.position.__getitem__)
        with path.open("w", encoding="utf-8") as handle:
            handle.write(f"{len(words)} {self.dimension}\n")
            for word in words:
                numbers = " ".join(f"{x:.5f}" for x in self.vectors[self.position[word]])
                handle.write(f"{word} {numbers}\n")
        return path

    def observe(self, words: Iterable[str], sign: int = 1) -> None:
        """Count a document's words for the idf weights (`sign` −1 when it leaves)."""
        for word in set(words):
            self._df[word] += sign
        self._documents += sign

    def idf(self, word: str) -> float:
        return math.log(1 + (self._documents + 1) / (self._df.get(word, 0) + 1))

    def encode(self, words: Iterable[str]) -> np.ndarray | None:
        weights: dict[int, float] = {}
        for word in words:
            row = self.position.get(word)
            if row is not None:
                weights[row] = weights.get(row, 0.0) + self.idf(word)
        if not weights:
            return None
        rows = np.fromiter(weights, dtype=np.int64)
        vector = np.asarray(list(weights.values()), dtype=np.float32) @ self.vectors[rows]
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else None


def train_vectors(
    texts: Iterable[str],
    words_of: Callable[[str], list[str]],
    dimension: int = 100,
    min_count: int = 3,
    window: int = 4,
) -> Encoder:
    """Word vectors learnt from the platform's own text: PPMI within `window`, truncated SVD to
    `dimension` (singular vectors weighted by the square root of their values, Levy et al. 2015)."""
    docs = [words_of(text) for text in texts]
    vocab, _ = _vocabulary(docs, min_count, 1.0)
    if len(vocab) < 3:
        raise ValueError("语料太少，学不出词向量（至少需要 3 个出现 3 次以上的词）")
    matrix = _ppmi(docs, vocab, window)
    rank = max(1, min(dimension, len(vocab) - 1))
    u, s, _ = svds(matrix.astype(np.float64), k=rank, random_state=0)
    vectors = u * np.sqrt(s)
    words = sorted(vocab, key=vocab.__getitem__)
    return Encoder(words, vectors, name="platform")


def reciprocal_rank_fusion(rankings: Iterable[list[Any]], k: int = RRF_K) -> dict[Any, float]:
    """Σ over the rankings of 1 / (k + rank), rank counted from 1."""
    fused: dict[Any, float] = {}
    for ranking in rankings:
        for rank, doc_id in enumerate(ranking, 1):
            fused[doc_id] = fused.get(doc_id, 0.0) + 1.0 / (k + rank)
    return fused


def _leading(scores: np.ndarray, width: int) -> np.ndarray:
    """The positions of at least the `width` highest scores (all those tied with the last one
    too), highest first, ties by position: a prefix of the stable descending sort of all."""
    if width < len(scores):
        threshold = scores[np.argpartition(-scores, width - 1)[:width]].min()
        positions = np.flatnonzero(scores >= threshold)
        return positions[np.argsort(-scores[positions], kind="stable")]
    return np.argsort(-scores, kind="stable")


class HybridIndex(DocumentIndex):
    """The lexical index and the dense vectors of the same documents, searched together."""

    def __init__(self, lexical: MatchIndex, encoder: Encoder, depth: int = 100) -> None:
        self.lexical = lexical
        self.encoder = encoder
        self.depth = depth
        self._ids: list[Any] = []
        self._row: dict[Any, int] = {}
        self._matrix = np.zeros((0, encoder.dimension), dtype=np.float32)
        self._live = np.zeros(0, dtype=bool)  # per row of the matrix: not a hole
        self._pending: list[np.ndarray] = []
        self._words: dict[Any, list[str]] = {}

    # the lexical index's interface
    def __len__(self) -> int:
        return len(self.lexical)

    def __contains__(self, doc_id: Any) -> bool:
        return doc_id in self.lexical

    def meta(self, doc_id: Any) -> dict[str, Any]:
        return self.lexical.meta(doc_id)

    @property
    def fields(self) -> dict[str, float]:
        return self.lexical.fields

    def add(
        self, doc_id: Any, texts: Mapping[str, str], meta: Mapping[str, Any] | None = None
    ) -> None:
        self.lexical.add(doc_id, texts, meta)
        self._remove_vector(doc_id)
        words = self.lexical.tokenizer.words(" ".join(v for v in texts.values() if v))
        self.encoder.observe(words)
        self._words[doc_id] = words
        vector = self.encoder.encode(words)
        if vector is not None:
            self._row[doc_id] = len(self._ids)
            self._ids.append(doc_id)
            self._pending.append(vector)

    def remove(self, doc_id: Any) -> None:
        self.lexical.remove(doc_id)
        self._remove_vector(doc_id)

    def _remove_vector(self, doc_id: Any) -> None:
        words = self._words.pop(doc_id, None)
        if words is not None:
            self.encoder.observe(words, -1)
        row = self._row.pop(doc_id, None)
        if row is not None:
            self._ids[row] = None  # a hole; its vector never ranks (masked out)
            if row < len(self._live):
                self._live[row] = False

    def _vectors(self) -> np.ndarray:
        if self._pending:
            start = len(self._matrix)
            self._matrix = np.vstack([self._matrix, *self._pending])
            # a pending row may have been removed before it reached the matrix
            added = [doc_id is not None for doc_id in self._ids[start:]]
            self._live = np.concatenate([self._live, np.asarray(added, dtype=bool)])
            self._pending = []
        return self._matrix

    def dense_ranking(
        self, query: str, k: int, allowed: Callable[[Any], bool]
    ) -> list[tuple[Any, float]]:
        """The `k` documents nearest to the query by cosine, among those `allowed` (ties in the
        order they were added). Only the leading rows are sorted (`argpartition`) and checked
        with `allowed`; the lead widens when too few of them pass."""
        vector = self.encoder.encode(self.lexical.tokenizer.words(query))
        matrix = self._vectors()
        if vector is None or not len(matrix) or k <= 0:
            return []
        similarity = matrix @ vector
        rows = np.flatnonzero(self._live)
        scores = similarity[rows]
        ranked: list[tuple[Any, float]] = []
        checked, width = 0, k
        while checked < len(rows):
            order = _leading(scores, width)
            for row in rows[order[checked:]]:
                doc_id = self._ids[row]
                if allowed(doc_id):
                    ranked.append((doc_id, float(similarity[row])))
                    if len(ranked) >= k:
                        return ranked
            checked, width = len(order), width * 4
        return ranked

    def search(
        self,
        query: str,
        k: int = 10,
        filters: Mapping[str, Any] | None = None,
        exclude: Iterable[Any] = (),
    ) -> SearchResult:
        started = time.perf_counter()
        excluded = set(exclude)
        lexical = self.lexical.search(query, max(k, self.depth), filters, excluded)
        wanted = wanted_values(filters)

        def allowed(doc_id: Any) -> bool:
            meta = self.lexical.meta(doc_id) if doc_id in self.lexical else {}
            return doc_id not in excluded and all(meta.get(f) in v for f, v in wanted.items())

        dense = self.dense_ranking(query, max(k, self.depth), allowed)
        fused = reciprocal_rank_fusion(
            [[hit.doc_id for hit in lexical.hits], [doc_id for doc_id, _ in dense]]
        )
        hits = {hit.doc_id: hit for hit in lexical.hits}
        similarity = dict(dense)
        ranked = sorted(fused.items(), key=lambda item: (-item[1], str(item[0])))[:k]
        results = []
        for doc_id, score in ranked:
            base = hits.get(doc_id) or Hit(doc_id, 0.0, 0.0, (), self.lexical.meta(doc_id))
            cosine = similarity.get(doc_id)
            results.append(
                FusedHit(
                    **{f: getattr(base, f) for f in ("doc_id", "score", "coverage", "terms")},
                    meta=base.meta,
                    similarity=round(cosine, 3) if cosine is not None else None,
                    fused=round(score, 5),
                )
            )
        elapsed = round((time.perf_counter() - started) * 1000, 2)
        return replace(lexical, hits=results, elapsed_ms=elapsed)
