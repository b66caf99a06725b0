"""Benchmark: `generate_demo --scale 100` (≈200,000 organizations) into a fresh SQLite file.

Target (issue “Synthetic Nanyang”): under 5 minutes. Writes bench/results/generate.json.
Usage: .venv/bin/python bench/bench_generate.py [--scale 100] [--seed 20220802]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_PATH = ROOT / "var" / "bench" / "generate.sqlite3"
RESULTS = ROOT / "bench" / "results"
TARGET_SECONDS = 300
DEFAULT_SCALE = 100.0
DEFAULT_SEED = 20220802


def setup_django(db_path: Path = DB_PATH) -> None:
    """Point Django at the benchmark database file; migrate it and load the reference data."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings_test")
    os.environ["KECHUANG_DATABASE_URL"] = f"sqlite:///{db_path}"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    from kechuang.registry.services import load_reference

    call_command("migrate", verbosity=0)
    load_reference()


def fresh_database(db_path: Path = DB_PATH) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def generate(scale: float, seed: int) -> dict[str, object]:
    from kechuang.core.audit import audit_context
    from kechuang.registry.synthetic.writer import write_ecosystem

    started = time.perf_counter()
    with audit_context(label=f"bench_generate --scale {scale:g}"):
        report = write_ecosystem(scale, seed, progress=lambda m: print(m, flush=True))
    seconds = time.perf_counter() - started
    return {
        "scale": scale,
        "seed": seed,
        "organizations": report.counts["organizations"],
        "annual_reports": report.counts["annual_reports"],
        "qualifications": report.counts["qualifications"],
        "platforms": report.counts["platforms"],
        "patents": report.counts["patents"],
        "talents": report.counts["talents"],
        "teams": report.counts["teams"],
        "seconds": round(seconds, 1),
        "target_seconds": TARGET_SECONDS,
        "passed": seconds < TARGET_SECONDS,
        "database": "sqlite",
        "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--output", default=str(RESULTS / "generate.json"))
    args = parser.parse_args()
    fresh_database()
    setup_django()
    result = generate(args.scale, args.seed)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if not result["passed"]:
        raise SystemExit(1)  # make bench fails on a regression


if __name__ == "__main__":
    main()
