"""Query latency on a 1,000,000-document segment **tiled** from a smaller real build (not a build of
1M documents): the base segment that `bench_matching_scale.py N` left in var/bench/matching_scale/
is repeated R times (ordinals shifted, the same postings, lengths and filter columns), so the
posting lists have the lengths of an N×R collection of the same corpus. Then 200 filtered and 200
unfiltered queries as in `bench_matching_scale.py`, and one listing's update made visible.

`python bench/bench_matching_scale_tiled.py [R]` (default 10, after a 100,000-document build).
Writes bench/results/matching_scale_tiled.json with the load average.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "var" / "bench" / "matching_scale"
TILED = ROOT / "var" / "bench" / "matching_scale_tiled"


def tile(source: Path, target: Path, repeat: int) -> None:
    from kechuang.market.engine.segment import ARRAYS, Segment

    segment = Segment.open(source)
    size, indptr = segment.size, segment.arrays["indptr"]
    df = np.diff(indptr)
    tiled_ptr = np.zeros(len(df) + 1, np.int64)
    np.cumsum(df * repeat, out=tiled_ptr[1:])
    docs = np.empty(int(tiled_ptr[-1]), np.int32)
    counts = np.empty((int(tiled_ptr[-1]), len(segment.fields)), segment.arrays["counts"].dtype)
    shifts = (np.arange(repeat, dtype=np.int32) * size)[:, None]
    for term in range(len(df)):
        start, end, at = indptr[term], indptr[term + 1], tiled_ptr[term]
        docs[at : at + (end - start) * repeat] = (
            segment.arrays["docs"][start:end] + shifts
        ).ravel()
        counts[at : at + (end - start) * repeat] = np.tile(
            segment.arrays["counts"][start:end], (repeat, 1)
        )
    ids = np.array([json.dumps(i).encode() for i in range(size * repeat)])
    order = np.argsort(ids, kind="stable")
    arrays = {
        "vocab": segment.arrays["vocab"],
        "indptr": tiled_ptr,
        "docs": docs,
        "counts": counts,
        "lengths": np.tile(segment.arrays["lengths"], (repeat, 1)),
        "id_codes": ids,
        "id_keys": ids[order],
        "id_order": order.astype(np.int32),
    }
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in ARRAYS:
        np.save(target / f"{name}.npy", arrays[name])
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    for number, key in enumerate(manifest["meta_keys"]):
        np.save(target / f"meta_{number}.npy", np.tile(segment.columns[key], repeat))
    manifest.update(
        documents=size * repeat,
        postings=len(docs),
        totals=[t * repeat for t in manifest["totals"]],
    )
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))


def main() -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_matching_scale import _queries

    from kechuang.market.engine.evaluation import build_index
    from kechuang.market.engine.scaled import ScaledIndex
    from kechuang.market.engine.segment import Segment
    from kechuang.market.engine.vocabulary import reference_terms

    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    tile(SOURCE, TILED, repeat)
    terms = sorted(t for t in reference_terms() if 2 <= len(t) <= 6)
    reference = build_index("kechuang", terms)
    started = time.perf_counter()
    index = ScaledIndex(reference.tokenizer, reference.thesaurus, segment=Segment.open(TILED))
    load_seconds = time.perf_counter() - started
    load_before = os.getloadavg()
    filtered = _queries(index, terms, filtered=True)
    unfiltered = _queries(index, terms, filtered=False)
    started = time.perf_counter()
    meta = {"kind": "achievement", "area": 3, "industry": 2}
    index.add(
        ("new", 1), {"title": "一种全新的钨钼合金坩埚快速烧结装置", "text": "钨钼合金坩埚"}, meta
    )
    hits = index.search("钨钼合金坩埚快速烧结", k=1, filters={**meta, "kind": {"achievement"}}).hits
    visible_ms = (time.perf_counter() - started) * 1000
    assert hits and hits[0].doc_id == ("new", 1)
    report = {
        "note": (
            f"{index.segment.size} documents tiled from a real build of "
            f"{index.segment.size // repeat} (×{repeat}); no build was run at this size"
        ),
        "documents": index.segment.size,
        "postings": int(index.segment.arrays["indptr"][-1]),
        "load_mmap_seconds": round(load_seconds, 3),
        "query_filtered": filtered,
        "query_unfiltered": unfiltered,
        "update_visible_ms": round(visible_ms, 2),
        "load_average_before_queries": [round(x, 2) for x in load_before],
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }
    (ROOT / "bench" / "results" / "matching_scale_tiled.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    )
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
