"""rjieba (jieba-rs) against jieba 0.42.1 on the CSL evaluation corpus (../shared/data/eval/csl):
do they cut the same words (plain and search mode, with the market's domain dictionary added to
both), and which is faster? The market adopts rjieba only if the tokens are the same and it is
faster. Runs where both are installed: `python bench/bench_rjieba.py [OUT.json]` (rjieba is not
a project dependency; install it by hand in a scratch environment to measure)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import jieba
import rjieba

ROOT = Path(__file__).resolve().parent.parent
CSL = ROOT.parent / "shared" / "data" / "eval" / "csl" / "csl_benchmark_2k.jsonl"
TERMS = ("防爆电机", "立方氮化硼", "电主轴", "超硬材料", "隔爆型", "新能源汽车", "中试")


def texts() -> list[str]:
    rows = [json.loads(line) for line in CSL.read_text(encoding="utf-8").splitlines()]
    return [f"{r['title']}。{r['abstract']}" for r in rows]


def timed(function, corpus: list[str]) -> tuple[list[list[str]], float]:
    started = time.perf_counter()
    result = [list(function(text)) for text in corpus]
    return result, time.perf_counter() - started


def main() -> None:
    corpus = texts()
    py = jieba.Tokenizer()
    py.initialize()
    rs = rjieba.Jieba() if hasattr(rjieba, "Jieba") else rjieba
    for term in TERMS:
        py.add_word(term, freq=20000)
        rs.add_word(term, 20000, None)
    report = {"documents": len(corpus), "characters": sum(map(len, corpus))}
    for mode, py_cut, rs_cut in (
        ("cut", lambda t: py.cut(t), lambda t: rs.cut(t)),
        ("cut_for_search", lambda t: py.cut_for_search(t), lambda t: rs.cut_for_search(t)),
    ):
        py.cut(corpus[0])  # warm up both
        rs_cut(corpus[0])
        a, py_seconds = timed(py_cut, corpus)
        b, rs_seconds = timed(rs_cut, corpus)
        same = sum(1 for x, y in zip(a, b, strict=True) if x == y)
        report[mode] = {
            "jieba_seconds": round(py_seconds, 3),
            "rjieba_seconds": round(rs_seconds, 3),
            "speed_up": round(py_seconds / rs_seconds, 1) if rs_seconds else None,
            "documents_same_tokens": same,
            "share_same": round(same / len(corpus), 4),
            "first_difference": next(
                ([x[:40], y[:40]] for x, y in zip(a, b, strict=True) if x != y), None
            ),
        }
    report["adopt"] = all(report[m]["share_same"] == 1.0 for m in ("cut", "cut_for_search"))
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
