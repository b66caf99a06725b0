"""Text fit between an application and an expert: BM25 over the two texts (the market's matching
engine has not landed). Chinese is tokenised into character bigrams, Latin words and numbers
into lower-cased words. No Django.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
from scipy import sparse

K1 = 1.2
B = 0.75
CJK = re.compile(r"[\u4e00-\u9fff]+")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#.\-]*|\d+(?:\.\d+)?")


def tokens(text: str) -> list[str]:
    out: list[str] = []
    for run in CJK.findall(text or ""):
        out.extend(run[i : i + 2] for i in range(max(len(run) - 1, 1)))
    out.extend(w.lower() for w in WORD.findall(text or ""))
    return out


def bm25_matrix(queries: list[str], documents: list[str]) -> np.ndarray:
    """scores[q, d]: BM25 of query q against document d, each row scaled to 0…1 by its maximum."""
    docs = [Counter(tokens(d)) for d in documents]
    vocabulary: dict[str, int] = {}
    for counts in docs:
        for term in counts:
            vocabulary.setdefault(term, len(vocabulary))
    n = len(docs)
    if not vocabulary or not queries:
        return np.zeros((len(queries), n))
    lengths = np.array([sum(c.values()) for c in docs], dtype=float)
    avg = lengths.mean() or 1.0
    rows, cols, values = [], [], []
    df = np.zeros(len(vocabulary))
    for j, counts in enumerate(docs):
        norm = K1 * (1 - B + B * lengths[j] / avg)
        for term, tf in counts.items():
            t = vocabulary[term]
            df[t] += 1
            rows.append(t)
            cols.append(j)
            values.append(tf * (K1 + 1) / (tf + norm))
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    weights = sparse.csr_matrix((values, (rows, cols)), shape=(len(vocabulary), n))
    weights = sparse.diags(idf) @ weights
    q_rows, q_cols = [], []
    for i, query in enumerate(queries):
        for term in set(tokens(query)):
            if term in vocabulary:
                q_rows.append(i)
                q_cols.append(vocabulary[term])
    q = sparse.csr_matrix(
        (np.ones(len(q_rows)), (q_rows, q_cols)), shape=(len(queries), len(vocabulary))
    )
    scores = np.asarray((q @ weights).todense(), dtype=float)
    peak = scores.max(axis=1, keepdims=True)
    peak[peak <= 0] = 1.0
    return scores / peak


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def idf_weight(n: int, df: int) -> float:  # kept for documentation of the formula used above
    return math.log(1 + (n - df + 0.5) / (df + 0.5))
