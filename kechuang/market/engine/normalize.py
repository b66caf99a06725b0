"""Text normalisation before tokenising: full-width → half-width, Latin letters lower-cased,
traditional → simplified Chinese.

OpenCC is not in `requirements.lock`, so the traditional → simplified folding is a small table of
its own (`data/traditional.tsv`): the traditional characters that occur in technology texts
(patent excerpts from Taiwan and Hong Kong, product pages) and a few word-level variants
(軟體 → 软件, 資訊 → 信息). It is a character-for-character fold, like OpenCC's `t2s` character
table, and deliberately partial: a character not in the table is kept as it is, so an
unfolded traditional character only costs recall, never a wrong match.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@cache
def _tables() -> tuple[dict[int, str], tuple[tuple[str, str], ...]]:
    chars: dict[int, str] = {}
    words: list[tuple[str, str]] = []
    for line in (DATA / "traditional.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        traditional, simplified = line.split("\t")[:2]
        if len(traditional) == 1 and len(simplified) == 1:
            chars[ord(traditional)] = simplified
        else:
            words.append((traditional, simplified))
    # Longest words first so 記憶體 is replaced before any shorter overlap.
    words.sort(key=lambda pair: -len(pair[0]))
    return chars, tuple(words)


def to_simplified(text: str) -> str:
    """Fold traditional characters (and the listed word variants) to simplified ones."""
    chars, words = _tables()
    for traditional, simplified in words:
        if traditional in text:
            text = text.replace(traditional, simplified)
    return text.translate(chars)


def normalize(text: str) -> str:
    """NFKC (full-width letters, digits and punctuation → half-width), lower case, simplified."""
    return to_simplified(unicodedata.normalize("NFKC", text or "").lower())
