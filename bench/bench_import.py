"""Benchmark: validate and commit a 100,000-row organizations workbook on a fresh database (a
SQLite file, or with KECHUANG_BENCH_DB=postgresql the database `kechuang_import` on the server of
KECHUANG_BENCH_PG_URL, dropped and created for the run).

Target (issue “Excel round-trip”): validate_upload + commit under 60 s on the 2-core machine
(validate_upload reads the file itself: the separate read phase is for information only).
The organizations are synthetic (invented names ending in “（演示）”, valid USCCs).
Writes bench/results/<vendor>/import.json.
Usage: .venv/bin/python bench/bench_import.py [--rows 100000] [--reader calamine|openpyxl]
[--profile DIR] [--reimport]
(`--reader` picks the xlsx reader of `kechuang.core.imports.table`; the result file is
import.json for the default reader, import-<reader>.json otherwise; `--profile` writes a cProfile
of each phase, DIR/validate.prof and DIR/commit.prof). Each phase reports its wall time and the
process's CPU time (the machine is shared: CPU time is what the import itself costs), with the
1-minute load average at the start. `--reimport` then uploads the file again with every name
changed, so all 100,000 rows update their stored records (reimport_* figures).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DB_PATH = ROOT / "var" / "bench" / "import.sqlite3"
PG_DATABASE = "kechuang_import"
TARGET_SECONDS = 60
DEFAULT_ROWS = 100_000


def setup_django() -> None:
    """A fresh benchmark database (SQLite file, or PostgreSQL database kechuang_import):
    deleted, migrated, reference data loaded."""
    sys.path.insert(0, str(ROOT))
    from bench_generate import _pg_admin, database_url, vendor

    if vendor() == "postgresql":
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kechuang.settings_test"
    os.environ["KECHUANG_DATABASE_URL"] = database_url(DB_PATH, PG_DATABASE)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference", stdout=io.StringIO())


def build_workbook(rows: int, renamed: str = "") -> bytes:
    """The organizations template filled with `rows` synthetic, valid rows (write-only)."""
    from openpyxl import Workbook

    from kechuang.registry.engine.uscc import check_character
    from kechuang.registry.excel.specs import References, get_spec

    spec = get_spec("organizations")
    refs = References.load()
    areas = [a for a in refs.areas if a.parent_id is not None]
    industries = refs.industry_labels()
    fields = refs.techfield_labels()
    kinds = ["企业", "企业", "企业", "高等院校", "科研院所"]
    sizes = ["大型", "中型", "小型", "微型", ""]
    sections = ["C", "C 制造业", "D", "", "I"]  # by letter or "letter name", or left empty
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(spec.sheet_title)
    headers = [column.header_zh for column in spec.data_columns]
    sheet.append(headers)
    for i in range(rows):
        area = areas[i % len(areas)]
        division = area.code if area.code.isdigit() else "411300"
        body = f"91{division}{i + 1:09d}"
        # by header, so a column added to the template later is left empty, not shifted
        values = {
            "统一社会信用代码": body + check_character(body),
            "单位名称": f"基准测试单位{i + 1:06d}{renamed}（演示）",
            "单位类型": kinds[i % len(kinds)],
            "所在区域": area.name,
            "所属产业": industries[i % len(industries)] if i % 3 else "",
            "高新技术领域": fields[i % len(fields)] if i % 2 else "",
            "国民经济行业门类": sections[i % len(sections)],
            "国民经济行业大类代码": "34" if i % len(sections) in (0, 1) and i % 4 == 0 else "",
            "成立日期": dt.date(2000 + i % 24, 1 + i % 12, 1 + i % 28),
            "企业规模": sizes[i % len(sizes)],
            "上市企业": "是" if i % 17 == 0 else "否",
            "规上企业": "是" if i % 5 == 0 else "否",
            "地址": f"南阳市某某路 {i % 999 + 1} 号",
            "联系人": "联系人",
            "联系电话": f"139{i:08d}",
        }
        missing = set(values) - set(headers)
        if missing:
            raise SystemExit(f"模板中没有这些列：{sorted(missing)}")
        sheet.append([values.get(header, "") for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class Phase:
    """Wall and CPU seconds of one phase, profiled into `profile_dir/<name>.prof` if given."""

    def __init__(self, name: str, profile_dir: Path | None) -> None:
        self.name, self.profile_dir = name, profile_dir
        self.wall = self.cpu = 0.0

    @contextlib.contextmanager
    def measure(self) -> Any:
        profiler = cProfile.Profile() if self.profile_dir else None
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        try:
            yield self
        finally:
            if profiler:
                profiler.disable()
            self.wall = time.perf_counter() - wall
            self.cpu = time.process_time() - cpu
            if profiler and self.profile_dir:
                self.profile_dir.mkdir(parents=True, exist_ok=True)
                profiler.dump_stats(self.profile_dir / f"{self.name}.prof")


def run(
    rows: int, reader: str, profile_dir: Path | None = None, again: bool = False
) -> dict[str, Any]:
    from kechuang.accounts.models import User
    from kechuang.core.audit import audit_context
    from kechuang.core.imports import table
    from kechuang.core.roles import Role
    from kechuang.registry.excel.importer import commit, validate_upload
    from kechuang.registry.models import Organization

    user = User.objects.create(username="bench_staff", role=Role.CITY_STAFF)
    content = build_workbook(rows)
    table.DEFAULT_READER = reader
    load = os.getloadavg()[0]
    read, validate, write = (Phase(name, profile_dir) for name in ("read", "validate", "commit"))
    with read.measure():
        table.read_table(content, sheet="创新主体")
    with audit_context(label="bench/bench_import.py"):
        with validate.measure():
            report = validate_upload("organizations", content, user, filename="bench.xlsx")
        if report.errors:
            raise SystemExit(f"校验失败：{len(report.errors)} 处，前 5 处：{report.errors[:5]}")
        with write.measure():
            result = commit(report, user)
    accepted = Organization.objects.count()
    updates = reimport(rows, user, profile_dir) if again else {}
    if not result.created == rows == accepted:
        raise SystemExit(f"只接受了 {accepted} / {rows} 行（创建 {result.created}）")
    return {
        "rows": rows,
        "accepted_rows": accepted,
        "file_megabytes": round(len(content) / 1024 / 1024, 2),
        "reader": reader,
        "load_average_1min": round(load, 2),
        "read_seconds": round(read.wall, 2),
        "read_cpu_seconds": round(read.cpu, 2),
        "read_rows_per_second": round(rows / read.wall),
        "validate_seconds": round(validate.wall, 2),
        "validate_cpu_seconds": round(validate.cpu, 2),
        "commit_seconds": round(write.wall, 2),
        "commit_cpu_seconds": round(write.cpu, 2),
        # validate_upload reads the file itself: the total is validate + commit
        "total_seconds": round(validate.wall + write.wall, 2),
        "total_cpu_seconds": round(validate.cpu + write.cpu, 2),
        "load_average_1min_after": round(os.getloadavg()[0], 2),
        "target_seconds": TARGET_SECONDS,
        **updates,
    }


def reimport(rows: int, user: Any, profile_dir: Path | None) -> dict[str, Any]:
    """The same organizations uploaded again, every name changed: `rows` updates."""
    from kechuang.core.audit import audit_context
    from kechuang.registry.excel.importer import commit, validate_upload

    content = build_workbook(rows, renamed="（更名）")
    validate, write = (Phase(f"reimport_{name}", profile_dir) for name in ("validate", "commit"))
    with audit_context(label="bench/bench_import.py"):
        with validate.measure():
            report = validate_upload("organizations", content, user, filename="bench2.xlsx")
        if report.errors or report.to_update != rows:
            raise SystemExit(f"重新导入校验失败：{report.errors[:5]}，更新 {report.to_update}")
        with write.measure():
            result = commit(report, user)
    if result.updated != rows:
        raise SystemExit(f"只更新了 {result.updated} / {rows} 行")
    return {
        "reimport_validate_seconds": round(validate.wall, 2),
        "reimport_validate_cpu_seconds": round(validate.cpu, 2),
        "reimport_commit_seconds": round(write.wall, 2),
        "reimport_commit_cpu_seconds": round(write.cpu, 2),
        "reimport_load_average_1min_after": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--reader", choices=("calamine", "openpyxl"), default="calamine")
    parser.add_argument("--profile", type=Path, default=None, help="write cProfile files here")
    parser.add_argument("--reimport", action="store_true", help="then update every row")
    args = parser.parse_args()
    setup_django()
    from bench_generate import database_meta, results_path

    figures = {**database_meta(), **run(args.rows, args.reader, args.profile, args.reimport)}
    name = "import" if args.reader == "calamine" else f"import-{args.reader}"
    results_path(name).write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(figures, ensure_ascii=False))
    if figures["total_seconds"] > TARGET_SECONDS:
        raise SystemExit(f"超出目标：{figures['total_seconds']} s > {TARGET_SECONDS} s")


if __name__ == "__main__":
    main()
