"""Benchmark: the matching index at scale on a synthetic Chinese corpus (issue #12 item 9: 1,000,000
documents of 200–400 characters in under 10 minutes on 2 cores within 4 GB, query p95 under
50 ms with filters, one listing's update visible within 1 s).

`python bench/bench_matching_scale.py [N] [WORKERS]` (default 1,000,000 documents, 2 workers)
really builds the columnar base segment (`engine.segment.build_segment`) over N synthetic
documents written from the plan's technology vocabulary (deterministic, seed 12; generated while
the workers tokenise, as rows would be read from the database): build seconds split into
tokenise / merge / save, the peak memory of the whole process tree (the sum of the parent's and
the workers' resident sets sampled every 0.2 s, shared pages counted in each; and `resource`'s
ru_maxrss of the parent and of the largest child), the size on disk, the seconds to open the
segment memory-mapped, 200 queries with an area + industry filter and 200 without (p50/p95), and
the time from `add` of one new listing to its first hit. The load average (2 cores shared with
other jobs) is written beside the figures. Writes bench/results/matching_scale.json.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import resource
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "var" / "bench" / "matching_scale"
TARGET = 1_000_000
FILLER = (
    "本项目针对",
    "现有技术存在",
    "问题，提出",
    "一种新的",
    "方法，通过",
    "优化设计，",
    "显著提高了",
    "降低了",
    "实现了",
    "适用于",
    "生产线，",
    "具有推广价值。",
    "经中试验证，",
    "关键指标达到",
    "国内先进水平，",
    "可在企业",
    "推广应用，",
    "形成",
    "技术方案。",
)
PAGE = os.sysconf("SC_PAGE_SIZE")


def corpus(n: int, terms: list[str], seed: int = 12) -> Iterator[tuple[int, dict[str, str], dict]]:
    rng = random.Random(seed)
    for number in range(n):
        words = rng.sample(terms, 6)
        title = f"一种{words[0]}与{words[1]}的{rng.choice(('装置', '方法', '系统', '工艺'))}"
        text = []
        while sum(map(len, text)) < rng.randint(200, 400):
            text.append(rng.choice(FILLER))
            text.append(rng.choice(words))
        meta = {"kind": "achievement", "area": number % 18, "industry": number % 7}
        yield (
            number,
            {"title": title, "keywords": "、".join(words[:3]), "text": "".join(text)},
            meta,
        )


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * PAGE
    except OSError:
        return 0


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


class TreeMemory(threading.Thread):
    """The peak of the process tree's resident memory (this process and its descendants)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            pids, stack = [], [os.getpid()]
            while stack:
                pid = stack.pop()
                pids.append(pid)
                stack += _children(pid)
            self.peak = max(self.peak, sum(_rss(pid) for pid in pids))
            time.sleep(0.2)


def _percentiles(latencies: list[float]) -> tuple[float, float]:
    latencies = sorted(latencies)
    return (
        round(latencies[len(latencies) // 2], 2),
        round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))], 2),
    )


def _queries(index, terms: list[str], filtered: bool) -> dict[str, float]:
    """200 queries: wall-clock and CPU-time (this process's, less skewed by the other jobs on
    the machine) p50/p95 in ms."""
    rng = random.Random(7)
    wall, cpu = [], []
    for _ in range(200):
        query = f"{rng.choice(terms)}{rng.choice(FILLER)}{rng.choice(terms)}"
        filters = {"kind": {"achievement"}, "area": rng.randrange(18), "industry": rng.randrange(7)}
        started, started_cpu = time.perf_counter(), time.process_time()
        index.search(query, k=10, filters=filters if filtered else None)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    (p50, p95), (cpu50, cpu95) = _percentiles(wall), _percentiles(cpu)
    return {"p50_ms": p50, "p95_ms": p95, "cpu_p50_ms": cpu50, "cpu_p95_ms": cpu95}


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from kechuang.market.engine.evaluation import build_index
    from kechuang.market.engine.scaled import ScaledIndex
    from kechuang.market.engine.segment import Segment, build_segment
    from kechuang.market.engine.vocabulary import reference_terms

    n = int(sys.argv[1]) if len(sys.argv) > 1 else TARGET
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    terms = sorted(t for t in reference_terms() if 2 <= len(t) <= 6)
    reference = build_index("kechuang", terms)
    load_before = os.getloadavg()
    memory = TreeMemory()
    memory.start()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    shutil.rmtree(WORK, ignore_errors=True)
    documents = corpus(n, terms)
    build_segment(
        WORK, documents, reference.tokenizer, list(reference.fields), workers, 5000, timings
    )
    build_seconds = time.perf_counter() - started
    load_after = os.getloadavg()
    memory.running = False
    memory.join()
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    disk = sum(p.stat().st_size for p in WORK.iterdir())

    started = time.perf_counter()
    segment = Segment.open(WORK)
    index = ScaledIndex(reference.tokenizer, reference.thesaurus, segment=segment)
    load_seconds = time.perf_counter() - started
    filtered = _queries(index, terms, filtered=True)
    unfiltered = _queries(index, terms, filtered=False)
    started = time.perf_counter()
    index.add(
        ("new", 1),
        {"title": "一种全新的钨钼合金坩埚快速烧结装置", "text": "钨钼合金坩埚"},
        {"kind": "achievement", "area": 3, "industry": 2},
    )
    filters = {"kind": {"achievement"}, "area": 3, "industry": 2}
    hits = index.search("钨钼合金坩埚快速烧结", k=1, filters=filters).hits
    visible_ms = (time.perf_counter() - started) * 1000
    assert hits and hits[0].doc_id == ("new", 1)
    manifest = json.loads((WORK / "manifest.json").read_text(encoding="utf-8"))
    report = {
        "documents": n,
        "measured_not_extrapolated": True,
        "workers": workers,
        "terms": manifest["terms"],
        "postings": manifest["postings"],
        "build_seconds": round(build_seconds, 1),
        "build_split_seconds": {k: round(v, 1) for k, v in timings.items()},
        "docs_per_second": round(n / build_seconds),
        "peak_rss_tree_mb": round(memory.peak / 2**20),
        "peak_rss_parent_mb": round(self_kb / 1024),
        "peak_rss_largest_child_mb": round(child_kb / 1024),
        "disk_mb": round(disk / 2**20),
        "load_mmap_seconds": round(load_seconds, 3),
        "query_filtered": filtered,
        "query_unfiltered": unfiltered,
        "update_visible_ms": round(visible_ms, 2),
        "targets": {
            "build_under_10_minutes": build_seconds <= 600,
            "memory_under_4_gb": memory.peak <= 4 * 2**30,
            "filtered_p95_under_50_ms": filtered["p95_ms"] < 50,
            "update_visible_under_1_s": visible_ms < 1000,
        },
        "load_average_before_build": [round(x, 2) for x in load_before],
        "load_average_after_build": [round(x, 2) for x in load_after],
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "machine": f"{os.cpu_count()} cores; what else ran shows in the load averages",
    }
    RESULTS.mkdir(exist_ok=True)
    name = "matching_scale.json" if n == TARGET else f"matching_scale_{n}.json"
    (RESULTS / name).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
