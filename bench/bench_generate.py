"""Benchmark: `generate_demo --scale 100` (≈200,000 organizations) into a fresh database.

Target (issue “Synthetic Nanyang”): under 5 minutes. Writes bench/results/<vendor>/generate.json.
Usage: .venv/bin/python bench/bench_generate.py [--scale 100] [--seed 20220802]

Every benchmark with a database runs on SQLite (default) or PostgreSQL: KECHUANG_BENCH_DB=postgresql
with KECHUANG_BENCH_PG_URL (what `./scripts/postgres.sh start` prints; `make bench` runs both). The
PostgreSQL benchmarks use their own database `kechuang_bench` on that server; the results go to
bench/results/sqlite/ and bench/results/postgresql/, each recording its vendor and scale.
"""

from __future__ import annotations

import argparse
import contextlib
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
ORGANIZATIONS_PER_SCALE = 2000  # scale 100 is ≈200,000 organizations


PG_DATABASE = "kechuang_bench"


def vendor() -> str:
    """The database the benchmarks run on: "sqlite" (default) or "postgresql"."""
    name = os.environ.get("KECHUANG_BENCH_DB", "sqlite").lower()
    if name in ("postgres", "postgresql", "pg"):
        return "postgresql"
    if name != "sqlite":
        raise SystemExit(f"KECHUANG_BENCH_DB={name}: 只支持 sqlite 或 postgresql")
    return "sqlite"


def pg_url(database: str = PG_DATABASE) -> str:
    """The PostgreSQL benchmark database's URL on the server of KECHUANG_BENCH_PG_URL."""
    base = os.environ.get("KECHUANG_BENCH_PG_URL", "")
    if not base:
        raise SystemExit("KECHUANG_BENCH_PG_URL 未设置：先运行 ./scripts/postgres.sh start")
    return base.rsplit("/", 1)[0] + "/" + database


def _pg_admin(sql: str) -> None:
    """Run one statement on the server's maintenance database (CREATE/DROP DATABASE)."""
    import psycopg

    with psycopg.connect(pg_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def database_url(db_path: Path = DB_PATH, pg_database: str = PG_DATABASE) -> str:
    if vendor() == "postgresql":
        with contextlib.suppress(Exception):  # exists already
            _pg_admin(f"CREATE DATABASE {pg_database}")
        return pg_url(pg_database)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{db_path}"


def results_path(name: str) -> Path:
    """bench/results/<vendor>/<name>.json (the directory created)."""
    path = RESULTS / vendor() / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def database_meta() -> dict[str, object]:
    """What every result records about its database: vendor, server version, scale."""
    from django.db import connection

    from kechuang.registry.models import Organization

    organizations = Organization.objects.count()
    return {
        "database": connection.vendor,
        "database_version": _server_version(connection),
        "scale": round(organizations / ORGANIZATIONS_PER_SCALE, 1),
        "organizations": organizations,
        "cpus": os.cpu_count(),
    }


def _server_version(connection: object) -> str:
    with connection.cursor() as cursor:  # type: ignore[attr-defined]
        if connection.vendor == "sqlite":  # type: ignore[attr-defined]
            cursor.execute("select sqlite_version()")
        else:
            cursor.execute("show server_version")
        return str(cursor.fetchone()[0])


def setup_django(db_path: Path = DB_PATH, pg_database: str = PG_DATABASE) -> None:
    """Point Django at the benchmark database; migrate it and load the reference data."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings_test")
    os.environ["KECHUANG_DATABASE_URL"] = database_url(db_path, pg_database)
    import django

    django.setup()
    from django.core.management import call_command

    from kechuang.registry.services import load_reference

    call_command("migrate", verbosity=0)
    load_reference()


def fresh_database(db_path: Path = DB_PATH) -> None:
    if vendor() == "postgresql":
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        return
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
        **database_meta(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--output", default="")
    args = parser.parse_args()
    fresh_database()
    setup_django()
    result = generate(args.scale, args.seed)
    output = Path(args.output) if args.output else results_path("generate")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if not result["passed"]:
        raise SystemExit(1)  # make bench fails on a regression


if __name__ == "__main__":
    main()
