"""Load benchmark: gunicorn (2 workers, production settings, demo data) started here, locust
(pinned in LOCUST_VERSION, installed into var/bench/locust-venv, run headless as a subprocess)
against it, one endpoint at a time for PHASE_SECONDS with USERS clients signed in as city staff.
Each endpoint's throughput is reported as a ratio to /healthz measured in the same run on the
same server (target ≥ 0.5): the home page, the organization list with filters (page and API),
the plan progress (page and API), the cultivation funnel, and each module's main list
(contracts, programmes, policies, market, projects).

The database is the demo (`make demo`'s loads: reference, plan, demo data, tier rules, one
screening) in var/bench/load.sqlite3, or the PostgreSQL database kechuang_load
(KECHUANG_BENCH_DB=postgresql, see bench_generate.py). Writes bench/results/<vendor>/load.json;
`--only NAME` (repeatable, a key of ENDPOINTS) runs just those endpoints and /healthz and writes
load-only.json instead.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from bench_generate import ROOT, database_meta, results_path, setup_django, vendor

LOCUST_VERSION = "2.47.0"
LOCUST_VENV = ROOT / "var" / "bench" / "locust-venv"
DB_PATH = ROOT / "var" / "bench" / "load.sqlite3"
# another name (created and loaded when missing) for a cluster whose kechuang_load is out of date
PG_DATABASE = os.environ.get("KECHUANG_BENCH_LOAD_DB", "kechuang_load")
USERS = 16
PHASE_SECONDS = 10
TARGET_RATIO = 0.5
ENDPOINTS: dict[str, str] = {
    "healthz": "/healthz",
    "home": "/",
    "organizations (page, filters)": "/registry/organizations/?kind=enterprise&area=卧龙区",
    "organizations (API, filters)": "/api/registry/organizations?kind=enterprise&area=卧龙区",
    "plan progress (page)": "/monitoring/",
    "plan progress (API)": "/api/monitoring/plans/nanyang-14/progress",
    "cultivation funnel": "/cultivation/",
    "contracts": "/contracts/",
    "programmes": "/programs/",
    "policies": "/policies/",
    "market": "/market/",
    "projects": "/projects/",
}


def ensure_locust() -> Path:
    """The pinned locust in its own venv (it brings gevent; kept out of the app's venv)."""
    binary = LOCUST_VENV / "bin" / "locust"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(LOCUST_VENV)], check=True)
        pip = [str(LOCUST_VENV / "bin" / "pip"), "install", "-q", f"locust=={LOCUST_VERSION}"]
        subprocess.run(pip, check=True)
    return binary


def prepare() -> dict[str, str]:
    """The demo database (loaded once), a city staff user and its session; the environment
    gunicorn runs with."""
    setup_django(DB_PATH, PG_DATABASE)
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from kechuang.accounts.models import User
    from kechuang.core.roles import Role
    from kechuang.registry.models import Organization

    if not Organization.objects.filter(is_demo=True).exists():
        print("载入演示数据 …", flush=True)
        for command, args in (
            ("load_plan", []),
            ("load_demo", []),
            ("load_tier_rules", []),
            ("screen_enterprises", ["--years", "2022-2025", "--if-empty"]),
        ):
            call_command(command, *args, stdout=io.StringIO())
    user, _ = User.objects.update_or_create(
        username="bench_load", defaults={"role": Role.CITY_STAFF, "area": None, "is_active": True}
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "kechuang.accounts.backends.LockoutModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {
        "KECHUANG_DATABASE_URL": os.environ["KECHUANG_DATABASE_URL"],
        "DJANGO_SETTINGS_MODULE": "kechuang.settings",
        "KECHUANG_HTTPS": "0",
        # the sessions are signed: the server must hold the key the session was made with
        "KECHUANG_SECRET_KEY": settings.SECRET_KEY,
        "KECHUANG_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOAD_SESSION": session.session_key or "",
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "kechuang.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, start_new_session=True)
    for _ in range(120):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("gunicorn 未能启动")


def warm_up(port: int, session: str) -> None:
    """Each worker loads the app on its first request: a few requests to every endpoint
    before any phase is timed."""
    for path in ENDPOINTS.values():  # every endpoint, as in a full run
        for _ in range(4):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{urllib.parse.quote(path, safe='/?=&')}",
                headers={"Cookie": f"sessionid={session}"},
            )
            with urllib.request.urlopen(request, timeout=300) as response:
                if response.status != 200:
                    raise SystemExit(f"{path} → HTTP {response.status}")


def phase(locust: Path, port: int, path: str, session: str, prefix: Path) -> dict[str, Any]:
    """One headless locust run against one path; its requests/s, failures and percentiles."""
    env = {**os.environ, "LOAD_PATH": path, "LOAD_SESSION": session}
    command = [
        str(locust),
        "-f",
        str(ROOT / "bench" / "load" / "locustfile.py"),
        "--headless",
        "--only-summary",
        "-u",
        str(USERS),
        "-r",
        str(USERS),
        "-t",
        f"{PHASE_SECONDS}s",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(prefix),
    ]
    with open(f"{prefix}.log", "w", encoding="utf-8") as log:
        subprocess.run(command, env=env, check=False, stdout=log, stderr=subprocess.STDOUT)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
    return {
        "path": path,
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "requests_per_second": round(float(row["Requests/s"]), 1),
        "p50_ms": _number(row["50%"]),
        "p95_ms": _number(row["95%"]),
        "log": str(Path(f"{prefix}.log").relative_to(ROOT)),
    }


def _number(text: str) -> float | None:
    return None if text in ("", "N/A") else float(text)


def selected_endpoints(argv: list[str]) -> dict[str, str]:
    """`--only NAME` (repeatable): just those endpoints, and /healthz to compare with."""
    names = [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == "--only"]
    unknown = [name for name in names if name not in ENDPOINTS]
    if unknown:
        raise SystemExit(f"--only：未知的端点 {unknown}，可选：{list(ENDPOINTS)}")
    return {k: v for k, v in ENDPOINTS.items() if not names or k == "healthz" or k in names}


def main() -> None:
    endpoints = selected_endpoints(sys.argv[1:])
    locust = ensure_locust()
    env = prepare()
    meta = database_meta()
    port = free_port()
    server = start_gunicorn(env, port)
    work = ROOT / "var" / "bench" / "load"
    work.mkdir(parents=True, exist_ok=True)
    rows: dict[str, Any] = {}
    try:
        warm_up(port, env["LOAD_SESSION"])
        for name, path in endpoints.items():
            prefix = work / f"{vendor()}-{len(rows)}"
            rows[name] = phase(locust, port, path, env["LOAD_SESSION"], prefix)
            print(name, rows[name], flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    healthz = rows["healthz"]["requests_per_second"] or 1.0
    for row in rows.values():
        row["ratio_to_healthz"] = round(row["requests_per_second"] / healthz, 2)
        row["passed"] = row["ratio_to_healthz"] >= TARGET_RATIO and row["failures"] == 0
    result = {
        "benchmark": "throughput of each endpoint as a ratio to /healthz, same server, same run",
        **meta,
        "server": "gunicorn, 2 workers, kechuang.settings (HTTPS off), demo data",
        "client": f"locust {LOCUST_VERSION} headless, {USERS} users, {PHASE_SECONDS} s each",
        "target_ratio": TARGET_RATIO,
        "endpoints": rows,
        "passed": all(r["passed"] for r in rows.values()),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    # KECHUANG_PAGE_CACHE=0 (passed on to gunicorn): every request renders its page afresh
    uncached = os.environ.get("KECHUANG_PAGE_CACHE") == "0"
    result["page_cache"] = not uncached
    name = "load_uncached" if uncached else "load"
    if endpoints != ENDPOINTS:
        name += "-only"  # a partial run keeps the whole run's file
    results_path(name).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps({k: v["ratio_to_healthz"] for k, v in rows.items()}, ensure_ascii=False))


if __name__ == "__main__":
    main()
