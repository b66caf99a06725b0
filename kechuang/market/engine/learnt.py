"""Synonyms learnt from the platform's own text (no download): distributional similarity.

Two words that name the same thing rarely stand side by side, but they keep the same company —
"防爆电机 … 外壳 … 温升" and "隔爆电动机 … 外壳 … 温升". So each word of the corpus (the published
listings, the registry's patent titles and abstracts) gets a context vector of positive pointwise
mutual information (PPMI, Church & Hanks 1990; Levy, Goldberg & Dagan 2015 §3) with the words
within `window` positions, and two words whose vectors' cosine is at least `threshold`, each the
other's nearest neighbour, form a learnt group. A match bridged by a learnt group scores `weight`
(below the hand table's weights) and says why:
"语料学习：上下文相似度 0.62（共同语境：外壳、温升…）". Words that stand side by side themselves
(a collocation such as "monte carlo", or pieces of one word) are not synonyms and are skipped.

`merge` puts the learnt groups beside the hand table (`synonyms.default_groups`); a word the
hand table already relates keeps the hand table's group and reason. Pure Python + numpy/scipy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

import numpy as np
from scipy import sparse

from kechuang.market.engine.synonyms import SynonymGroup

LEARNT = "语料学习"


def _vocabulary(
    docs: list[list[str]], min_count: int, max_share: float
) -> tuple[dict[str, int], Counter[str]]:
    df: Counter[str] = Counter()
    for words in docs:
        df.update(set(words))
    limit = max(min_count, int(max_share * len(docs)))
    kept = sorted(w for w, n in df.items() if min_count <= n <= limit and len(w) >= 2)
    return {w: i for i, w in enumerate(kept)}, df


def _ppmi(docs: list[list[str]], vocab: dict[str, int], window: int) -> sparse.csr_matrix:
    pairs: Counter[tuple[int, int]] = Counter()
    for words in docs:
        ids = [vocab.get(w, -1) for w in words]
        for i, a in enumerate(ids):
            if a < 0:
                continue
            for b in ids[max(0, i - window) : i]:
                if b >= 0 and b != a:
                    pairs[(a, b)] += 1
                    pairs[(b, a)] += 1
    if not pairs:
        return sparse.csr_matrix((len(vocab), len(vocab)))
    rows, cols = np.array(list(pairs)).T
    counts = np.fromiter(pairs.values(), dtype=float, count=len(pairs))
    row_sums = np.bincount(rows, weights=counts, minlength=len(vocab))
    # context distribution smoothed with α = 0.75 (Levy et al. 2015): rare contexts weigh less
    col_sums = np.bincount(cols, weights=counts, minlength=len(vocab)) ** 0.75
    col_total = col_sums.sum()
    # PMI = log(P(w,c) / (P(w)·Pα(c))): the corpus total cancels out
    pmi = np.log(counts * col_total / (row_sums[rows] * col_sums[cols]))
    keep = pmi > 0
    matrix = sparse.csr_matrix(
        (pmi[keep], (rows[keep], cols[keep])), shape=(len(vocab), len(vocab))
    )
    return matrix


def _normalise(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ matrix


def _shared_contexts(vectors: sparse.csr_matrix, a: int, b: int, words: list[str]) -> list[str]:
    row_a, row_b = vectors.getrow(a), vectors.getrow(b)
    both = row_a.multiply(row_b).tocoo()
    order = np.argsort(-both.data)[:3]
    return [words[both.col[i]] for i in order]


def learn_groups(
    texts: Iterable[str],
    words_of: Callable[[str], list[str]],
    *,
    min_count: int = 3,
    max_share: float = 0.05,
    window: int = 4,
    threshold: float = 0.5,
    min_contexts: int = 8,
    weight: float = 0.4,
    limit: int = 500,
) -> tuple[SynonymGroup, ...]:
    """Learnt pairs (mutual nearest neighbours with cosine ≥ `threshold`) as synonym groups,
    the most similar first, at most `limit`."""
    docs = [words_of(text) for text in texts]
    vocab, _ = _vocabulary(docs, min_count, max_share)
    if len(vocab) < 2:
        return ()
    words = sorted(vocab, key=vocab.__getitem__)
    ppmi = _ppmi(docs, vocab, window)
    vectors = _normalise(ppmi)
    # a word seen in fewer than `min_contexts` distinct contexts has no reliable company
    thin = np.diff(ppmi.indptr) < min_contexts
    similarity = (vectors @ vectors.T).tocsr()
    similarity.setdiag(0)
    similarity.eliminate_zeros()
    best = np.asarray(similarity.argmax(axis=1)).ravel()
    scores = np.asarray(similarity.max(axis=1).todense()).ravel()
    pairs = []
    for a, b in enumerate(best):
        if a < b and best[b] == a and scores[a] >= threshold and not (thin[a] or thin[b]):
            if words[a] in words[b] or words[b] in words[a] or ppmi[a, b] > 0:
                continue  # pieces of one word, or a collocation: not two names of one thing
            pairs.append((float(scores[a]), a, int(b)))
    pairs.sort(reverse=True)
    groups = []
    for score, a, b in pairs[:limit]:
        shared = "、".join(_shared_contexts(vectors, a, b, words))
        reason = f"{LEARNT}：上下文相似度 {score:.2f}（共同语境：{shared}）"
        groups.append(SynonymGroup((words[a], words[b]), weight, reason))
    return tuple(groups)


def merge(
    hand: tuple[SynonymGroup, ...], learnt: tuple[SynonymGroup, ...]
) -> tuple[SynonymGroup, ...]:
    """The hand table, then the learnt groups whose words the hand table does not relate."""
    known = {term for group in hand for term in group.terms}
    return hand + tuple(g for g in learnt if not any(t in known for t in g.terms))


def to_tsv(groups: tuple[SynonymGroup, ...]) -> str:
    """The groups in the hand table's format (`synonyms.parse_groups` reads it back)."""
    lines = ["# 语料学习的同义词（manage.py rebuild_match_index 生成；派生数据，可随时重建）"]
    for group in groups:
        reason = group.reason.replace("\t", " ").replace("\n", " ")
        lines.append(f"{'|'.join(group.terms)}\t{group.weight}\t{reason}")
    return "\n".join(lines) + "\n"
