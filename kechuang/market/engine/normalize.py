"""Text normalisation before tokenising: full-width → half-width, Latin letters lower-cased,
traditional → simplified Chinese.

Traditional → simplified is OpenCC's `t2s` conversion (the `opencc` wheel, pinned in
`requirements.lock`; its dictionaries ship in the wheel, nothing is downloaded): every
traditional character and OpenCC's phrase table. Before it, the word-level variants of our own
table (`data/traditional.tsv`: 軟體 → 软件, 資訊 → 信息, 記憶體 → 内存, the Taiwan and Hong Kong
terms that t2s keeps as 软体/资讯) are replaced. Without the wheel (an environment that did not
install it) the table's characters are folded instead: a deliberately partial fold, where an
unfolded character only costs recall, never a wrong match.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

try:
    import opencc
except ImportError:  # the table below is the fallback
    opencc = None

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


@cache
def _converter() -> object | None:
    return opencc.OpenCC("t2s") if opencc is not None else None


def to_simplified(text: str) -> str:
    """Fold the listed word variants, then every traditional character (OpenCC t2s; the table's
    characters without it) to simplified ones."""
    chars, words = _tables()
    for traditional, simplified in words:
        if traditional in text:
            text = text.replace(traditional, simplified)
    converter = _converter()
    if converter is not None:
        return converter.convert(text)  # type: ignore[attr-defined]
    return text.translate(chars)


def normalize(text: str) -> str:
    """NFKC (full-width letters, digits and punctuation → half-width), lower case, simplified."""
    return to_simplified(unicodedata.normalize("NFKC", text or "").lower())
