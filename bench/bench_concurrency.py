"""Benchmark: page views while a 100,000-row organizations import commits (#17 item 3).

A fresh database — a SQLite file (WAL, busy timeout, IMMEDIATE transactions:
kechuang/settings.py), or with `KECHUANG_BENCH_DB=postgresql` the database
`kechuang_concurrency` on the server of `KECHUANG_BENCH_PG_URL`, created for the run and dropped
after it — holds the reference data and a signed-in city staff user. Reader processes (forked,
each with its own database connection) view the home page and the organization list in a loop,
first alone (baseline), then while the main process commits a validated 100,000-row workbook in one
transaction. Each page view's latency is timed; the p95 of the views made during the commit is
the figure (target < 1 s), beside the baseline. Since sessions are not written on every request
(core.middleware.SessionRefreshMiddleware), a page view does not queue behind the import's
write lock.

On PostgreSQL readers must never wait on the import (MVCC: they read the last committed
snapshot): the bench also checks that no view during the commit took longer than a quarter of
the commit and reports the p95 during the commit as a ratio to the baseline's.

Writes bench/results/<vendor>/concurrency.json (with the database vendor, version and the load
average). Usage: .venv/bin/python bench/bench_concurrency.py [--rows 100000] [--readers 4]
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing as mp
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DB_PATH = ROOT / "var" / "bench" / "concurrency.sqlite3"
PG_DATABASE = "kechuang_concurrency"
TARGET_P95_SECONDS = 1.0
DEFAULT_ROWS = 100_000
PAGES = ("/", "/registry/organizations/")
BASELINE_SECONDS = 5.0

# waiting on the import's lock would hold a view for most of the commit
WAIT_SHARE_OF_COMMIT = 0.25

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_generate import _pg_admin, database_meta, database_url, results_path, vendor  # noqa: E402


def drop_database() -> None:
    if vendor() == "postgresql":
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)


def setup_django() -> None:
    """A fresh database of the benchmark's own: migrated, reference data loaded."""
    drop_database()
    os.environ["DJANGO_SETTINGS_MODULE"] = "kechuang.settings_test"
    os.environ["KECHUANG_DATABASE_URL"] = database_url(DB_PATH, PG_DATABASE)
    os.environ["KECHUANG_ALLOWED_HOSTS"] = "testserver,localhost"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference", stdout=io.StringIO())


def reader(user_id: int, stop: Any, results: Any) -> None:
    """View the pages in a loop until `stop` is set; send (start time, seconds, status) back."""
    from django.db import connections
    from django.test import Client

    from kechuang.accounts.models import User

    connections.close_all()  # never share the parent's connection
    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    timings = []
    i = 0
    while not stop.is_set():
        url = PAGES[i % len(PAGES)]
        started = time.time()
        status = client.get(url).status_code
        timings.append((started, time.time() - started, status))
        i += 1
    results.put(timings)


def warm_up(user: Any) -> None:
    """View every page once in the parent, so the forked readers start warm."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    for url in PAGES:
        assert client.get(url).status_code == 200, url


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(timings: list[tuple[float, float, int]]) -> dict[str, Any]:
    seconds = [t for _start, t, _status in timings]
    return {
        "views": len(seconds),
        "p50_seconds": round(statistics.median(seconds), 3) if seconds else None,
        "p95_seconds": round(percentile(seconds, 0.95), 3),
        "max_seconds": round(max(seconds), 3) if seconds else None,
        "errors": sum(1 for *_rest, status in timings if status != 200),
    }


def build_workbook(rows: int) -> bytes:
    """The organizations template filled with `rows` synthetic, valid rows, by column header
    (so a column added to the template later is left empty, not shifted)."""
    from openpyxl import Workbook

    from kechuang.registry.engine.uscc import check_character
    from kechuang.registry.excel.specs import References, get_spec

    spec = get_spec("organizations")
    refs = References.load()
    areas = [a for a in refs.areas if a.parent_id is not None]
    industries = refs.industry_labels()
    kinds = ["企业", "企业", "企业", "高等院校", "科研院所"]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(spec.sheet_title)
    headers = [column.header_zh for column in spec.data_columns]
    sheet.append(headers)
    for i in range(rows):
        area = areas[i % len(areas)]
        division = area.code if area.code.isdigit() else "411300"
        body = f"91{division}{i + 1:09d}"
        values = {
            "统一社会信用代码": body + check_character(body),
            "单位名称": f"并发基准单位{i + 1:06d}（演示）",
            "单位类型": kinds[i % len(kinds)],
            "所在区域": area.name,
            "所属产业": industries[i % len(industries)] if i % 3 else "",
            "上市企业": "否",
            "规上企业": "是" if i % 5 == 0 else "否",
            "地址": f"南阳市某某路 {i % 999 + 1} 号",
            "联系电话": f"139{i:08d}",
        }
        sheet.append([values.get(header, "") for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(rows: int, readers: int) -> dict[str, Any]:
    from django.db import connections

    from kechuang.accounts.models import User
    from kechuang.core.audit import audit_context
    from kechuang.core.roles import Role
    from kechuang.registry.excel.importer import commit, validate_upload
    from kechuang.registry.models import Organization

    staff = User.objects.create(username="bench_reader", role=Role.CITY_STAFF)
    importer = User.objects.create(username="bench_importer", role=Role.CITY_STAFF)
    content = build_workbook(rows)
    report = validate_upload("organizations", content, importer, filename="bench.xlsx")
    if report.errors:
        raise SystemExit(f"校验失败：{report.errors[:5]}")
    warm_up(staff)  # the first view imports and compiles what every later one reuses
    connections.close_all()
    context = mp.get_context("fork")
    stop, results = context.Event(), context.Queue()
    workers = [
        context.Process(target=reader, args=(staff.pk, stop, results)) for _ in range(readers)
    ]
    for worker in workers:
        worker.start()
    time.sleep(BASELINE_SECONDS)
    with audit_context(label="bench/bench_concurrency.py"):
        commit_started = time.time()
        result = commit(report, importer)
        commit_finished = time.time()
    time.sleep(1.0)
    stop.set()
    timings = [t for _ in workers for t in results.get(timeout=120)]
    for worker in workers:
        worker.join(timeout=30)
    assert result.created == rows == Organization.objects.count()
    during = [t for t in timings if commit_started <= t[0] < commit_finished]
    # a view that started before the commit but waited on it counts too
    overlapping = [t for t in timings if t[0] < commit_started < t[0] + t[1] and t not in during]
    baseline = [t for t in timings if t[0] + t[1] < commit_started]
    measured = summary(during + overlapping)
    base = summary(baseline)
    commit_seconds = commit_finished - commit_started
    return {
        "rows": rows,
        "accepted_rows": result.created,
        "readers": readers,
        "readers_kind": "processes (fork), each with its own connection",
        "pages": list(PAGES),
        "commit_seconds": round(commit_seconds, 2),
        "during_commit": measured,
        "baseline": base,
        "p95_ratio_during_to_baseline": round(measured["p95_seconds"] / base["p95_seconds"], 2),
        "longest_view_share_of_commit": round(measured["max_seconds"] / commit_seconds, 3),
        "readers_waited": bool(measured["max_seconds"] > WAIT_SHARE_OF_COMMIT * commit_seconds),
        "target_p95_seconds": TARGET_P95_SECONDS,
        "meets_target": bool(measured["p95_seconds"] < TARGET_P95_SECONDS),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--readers", type=int, default=4)
    args = parser.parse_args()
    setup_django()
    load_before = os.getloadavg()
    try:
        figures = {**database_meta(), **run(args.rows, args.readers)}
    finally:
        from django.db import connections

        connections.close_all()
        drop_database()
    figures["load_average"] = [round(x, 2) for x in (*load_before, *os.getloadavg()[:1])]
    figures["load_average_note"] = "1/5/15-minute load before the run, then the 1-minute after it"
    results_path("concurrency").write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(figures, ensure_ascii=False))
    if not figures["meets_target"]:
        raise SystemExit(
            f"超出目标：导入提交期间页面 p95 {figures['during_commit']['p95_seconds']} s "
            f"≥ {TARGET_P95_SECONDS} s"
        )
    if figures["database"] == "postgresql" and figures["readers_waited"]:
        raise SystemExit(
            "PostgreSQL 上读者等待了导入："
            f"最长一次页面 {figures['during_commit']['max_seconds']} s，"
            f"提交用时 {figures['commit_seconds']} s"
        )


if __name__ == "__main__":
    main()
