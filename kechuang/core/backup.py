"""Backup and restore of the whole database (#17 item 9), for `manage.py backup` / `restore`.

- SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot while
  the site keeps running and writing (WAL); restore copies a checked backup file over the
  database the same way, page for page (every value as stored, timestamps to the microsecond).
- PostgreSQL: `pg_dump -Fc` (one consistent snapshot) and `pg_restore --clean --if-exists
  --single-transaction` (all or nothing), with the connection taken from the DB settings.

Unlike `dumpdata`/`loaddata`, nothing is re-serialised, so nothing is rounded or lost.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections


class BackupError(Exception):
    """A backup or restore that cannot be done; the message (Chinese) says why and what to do."""


def default_output(vendor: str) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    suffix = "sqlite3" if vendor == "sqlite" else "dump"
    return Path(settings.VAR_DIR) / "backups" / f"kechuang-{stamp}.{suffix}"


# --- SQLite ------------------------------------------------------------------------------------


def sqlite_backup(source: sqlite3.Connection, output: Path) -> None:
    """Copy the database open on `source` into the file `output`, consistently, while other
    connections keep writing (one step: the snapshot is the one the backup started on)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        target.close()
    partial.replace(output)


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an intact SQLite database of this platform."""
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (verdict,) = source.execute("PRAGMA quick_check").fetchone()
            tables = {r[0] for r in source.execute("SELECT name FROM sqlite_master")}
        finally:
            source.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"备份文件 {path} 不是有效的 SQLite 数据库（{error}）。") from error
    if verdict != "ok":
        raise BackupError(f"备份文件 {path} 已损坏（完整性检查：{verdict}），请换用其他备份。")
    if not {"django_migrations", "accounts_auditentry"} <= tables:
        raise BackupError(f"备份文件 {path} 不是本平台的数据库（缺少平台的数据表）。")


def sqlite_restore(path: Path, target: sqlite3.Connection) -> None:
    """Replace the database open on `target` with the backup file `path`."""
    check_sqlite_file(path)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        source.backup(target)
    finally:
        source.close()


# --- PostgreSQL --------------------------------------------------------------------------------


def postgres_command(program: str, db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The program's connection arguments and environment from Django's DB settings."""
    binary = shutil.which(program)
    if binary is None:
        raise BackupError(f"找不到 {program}：请安装 PostgreSQL 客户端（postgresql-client）。")
    args = [binary, "--dbname", db["NAME"], "--no-password"]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{what}失败：{done.stderr.strip()[-500:]}")


def postgres_backup(db: dict[str, Any], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    args, env = postgres_command("pg_dump", db)
    partial = output.with_name(output.name + ".partial")
    _run([*args, "--format=custom", "--no-owner", "--file", str(partial)], env, "pg_dump 备份")
    partial.replace(output)


def postgres_restore(path: Path, db: dict[str, Any]) -> None:
    if not path.is_file():
        raise BackupError(f"找不到备份文件 {path}。")
    args, env = postgres_command("pg_restore", db)
    _run(
        [*args, "--clean", "--if-exists", "--no-owner", "--single-transaction", str(path)],
        env,
        "pg_restore 恢复",
    )


# --- the commands' entry points ----------------------------------------------------------------


def backup(using: str = "default", output: Path | None = None) -> Path:
    connection = connections[using]
    output = Path(output) if output else default_output(connection.vendor)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        sqlite_backup(connection.connection, output)
    elif connection.vendor == "postgresql":
        postgres_backup(connection.settings_dict, output)
    else:
        raise BackupError(f"不支持的数据库：{connection.vendor}（仅支持 SQLite 与 PostgreSQL）。")
    return output


def restore(path: Path, using: str = "default") -> None:
    connection = connections[using]
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"找不到备份文件 {path}。")
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        sqlite_restore(path, connection.connection)
    elif connection.vendor == "postgresql":
        connection.close()  # pg_restore drops and recreates the tables
        postgres_restore(path, connection.settings_dict)
    else:
        raise BackupError(f"不支持的数据库：{connection.vendor}（仅支持 SQLite 与 PostgreSQL）。")
