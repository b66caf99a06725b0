"""The staged upload: a file kept between the dry run and the commit, under
`MEDIA_ROOT/imports`, named by a random token held in the user's session (so one user cannot
reach another's file). Staging a new file for the same purpose drops the previous one; the
commit validates the staged file again, so data changed in between cannot slip through.

Hygiene (#17 item 4): a commit first *claims* the file (an atomic rename), so the same staged
file committed twice at once is imported once and the second request is told so in Chinese; the
claimed file is deleted when the commit ends, committed or refused. A rejected upload stays only
as the source of its marked-up error workbook, until the next upload for the same purpose
replaces it. Each user's staged files together stay under `STAGED_UPLOADS_QUOTA_BYTES`, and
`manage.py purge_staged_uploads` deletes what was abandoned (older than a day)."""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from kechuang.core.imports.errors import ImportRefused

STAGED = ".upload"
CLAIMED = ".committing"
ALREADY_COMMITTED = (
    "该文件已提交导入（正在导入或已经导入），请勿重复提交。"
    "导入进度和结果请在“我的任务”或列表中查看；如需再次导入，请重新上传文件。"
)
EXPIRED = "上传的文件已过期，请重新上传。"


class StagingRefused(ImportRefused):
    """The upload was not kept (over the user's quota), in Chinese."""


def upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


@dataclass(frozen=True)
class StagedUpload:
    path: Path
    name: str  # the uploaded file's own name, for messages
    extra: dict[str, Any]  # what the importer keeps with it (e.g. the plan's code)

    def read(self) -> bytes:
        return self.path.read_bytes()

    def delete(self) -> None:
        self.path.unlink(missing_ok=True)


def _session_key(purpose: str) -> str:
    return f"import-{purpose}"


def _path(token: str, suffix: str = STAGED) -> Path:
    return upload_dir() / f"{token}{suffix}"


def _valid(token: Any) -> bool:
    return bool(token) and str(token).replace("-", "").replace("_", "").isalnum()


def _owner_prefix(session: Any) -> str:
    user_id = str(session.get("_auth_user_id", "") or "0")
    return f"u{user_id if user_id.isdigit() else 0}-"


def used_bytes(prefix: str, *, besides: Path | None = None) -> int:
    """Bytes staged (or being committed) by the user whose files start with `prefix`."""
    folder = upload_dir()
    if not folder.is_dir():
        return 0
    total = 0
    for path in folder.glob(f"{prefix}*"):
        if path != besides and path.suffix in (STAGED, CLAIMED):
            total += path.stat().st_size
    return total


def quota() -> int:
    return int(getattr(settings, "STAGED_UPLOADS_QUOTA_BYTES", 60 * 1024 * 1024))


def _check_quota(session: Any, purpose: str, size: int) -> None:
    entry = _entry(session, purpose)
    replaced = _path(entry["token"]) if entry is not None else None
    used = used_bytes(_owner_prefix(session), besides=replaced)
    limit = quota()
    if used + size > limit:
        raise StagingRefused(
            f"您暂存的待导入文件已有 {used / 1024 / 1024:.1f} MB，"
            f"加上本次上传（{size / 1024 / 1024:.1f} MB）超出每人 {limit / 1024 / 1024:.0f} MB "
            "的上限，本次上传未保存。请先确认导入或放弃之前上传的文件"
            "（或待一天后自动清理），再重新上传。"
        )


def stage(session: Any, purpose: str, content: bytes, name: str, **extra: Any) -> StagedUpload:
    """Keep `content` for `purpose` (e.g. "organizations") in this session; raises
    StagingRefused (Chinese) when the user's staged files would exceed the quota."""
    _check_quota(session, purpose, len(content))
    discard(session, purpose)
    upload_dir().mkdir(parents=True, exist_ok=True)
    token = _owner_prefix(session) + secrets.token_urlsafe(16)
    _path(token).write_bytes(content)
    session[_session_key(purpose)] = {"token": token, "name": name, **extra}
    return StagedUpload(_path(token), name, extra)


def _entry(session: Any, purpose: str) -> dict[str, Any] | None:
    entry = session.get(_session_key(purpose))
    if not isinstance(entry, dict) or not _valid(entry.get("token", "")):
        return None
    return entry


def _extra(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k not in ("token", "name")}


def staged(session: Any, purpose: str) -> StagedUpload | None:
    """The file staged for `purpose` in this session, or None (never staged, or gone)."""
    entry = _entry(session, purpose)
    if entry is None:
        return None
    path = _path(entry["token"])
    if not path.exists():
        return None
    return StagedUpload(path, entry.get("name", ""), _extra(entry))


REPLACED = (
    "该校验结果对应的文件已被之后的上传替换（或已导入），未导入任何数据。"
    "请确认最新一次上传的校验结果后再导入。"
)


def token_of(upload: StagedUpload) -> str:
    """The name a form gives the staged file (a background check offers its commit by it)."""
    return upload.path.name.split(".", 1)[0]


def replaced(session: Any, purpose: str, token: str) -> bool:
    """A commit form names `token` (the file a background check passed), but another file, or
    none, is staged for `purpose` now: a newer upload replaced it, or it was committed."""
    current = staged(session, purpose)
    return bool(token) and (current is None or token_of(current) != token)


def claim(session: Any, purpose: str) -> StagedUpload:
    """Take the file staged for `purpose` for a commit: renamed atomically, so only one of two
    simultaneous commits gets it; the session forgets it. Raises ImportRefused (Chinese) when
    there is none: never staged, expired, or already claimed by another commit. The caller
    deletes the claimed file (`StagedUpload.delete`) when the commit ends."""
    entry = _entry(session, purpose)
    if entry is None:
        raise ImportRefused(EXPIRED)
    source, target = _path(entry["token"]), _path(entry["token"], CLAIMED)
    try:
        os.rename(source, target)  # atomic on one file system: exactly one caller succeeds
    except FileNotFoundError:
        session.pop(_session_key(purpose), None)
        raise ImportRefused(ALREADY_COMMITTED) from None
    session.pop(_session_key(purpose), None)
    return StagedUpload(target, entry.get("name", ""), _extra(entry))


def discard(session: Any, purpose: str) -> None:
    """Forget the file staged for `purpose` and delete it."""
    entry = session.pop(_session_key(purpose), None)
    if isinstance(entry, dict) and _valid(entry.get("token")):
        _path(str(entry["token"])).unlink(missing_ok=True)


def purge(older_than_seconds: float = 24 * 3600) -> tuple[int, int]:
    """Delete staged and claimed files older than `older_than_seconds` (abandoned uploads, or a
    commit whose worker died); returns (files, bytes) deleted."""
    folder = upload_dir()
    if not folder.is_dir():
        return 0, 0
    limit = time.time() - older_than_seconds
    files = size = 0
    for path in folder.iterdir():
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        if path.is_file() and stat.st_mtime < limit:
            path.unlink(missing_ok=True)
            files, size = files + 1, size + stat.st_size
    return files, size
