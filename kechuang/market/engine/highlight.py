"""Highlighting: the text cut into (segment, matched) pieces for the matched terms, found in a
character-by-character normalised copy so that 電動機 in a traditional text is highlighted for
the term 电动机 and the original characters are shown."""

from __future__ import annotations

from collections.abc import Iterable

from kechuang.market.engine.normalize import normalize


def _fold(char: str) -> str:
    folded = normalize(char)
    return folded[0] if len(folded) == 1 else char.lower()


def highlight(text: str, terms: Iterable[str]) -> list[tuple[str, bool]]:
    """Pieces of `text`, each flagged True when it is (part of) a matched term; longer terms win."""
    text = text or ""
    folded = "".join(_fold(c) for c in text)
    marked = [False] * len(text)
    for term in sorted({t for t in terms if t}, key=len, reverse=True):
        start = folded.find(term)
        while start >= 0:
            for i in range(start, start + len(term)):
                marked[i] = True
            start = folded.find(term, start + len(term))
    pieces: list[tuple[str, bool]] = []
    for char, flag in zip(text, marked, strict=True):
        if pieces and pieces[-1][1] == flag:
            pieces[-1] = (pieces[-1][0] + char, flag)
        else:
            pieces.append((char, flag))
    return pieces
