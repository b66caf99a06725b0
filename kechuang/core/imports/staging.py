"""The staged upload: a file kept between the dry run and the commit, under
`MEDIA_ROOT/imports`, named by a random token held in the user's session (so one user cannot
reach another's file). Staging a new file for the same purpose drops the previous one; the
commit validates the staged file again, so data changed in between cannot slip through."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings


def upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


@dataclass(frozen=True)
class StagedUpload:
    path: Path
    name: str  # the uploaded file's own name, for messages
    extra: dict[str, Any]  # what the importer keeps with it (e.g. the plan's code)

    def read(self) -> bytes:
        return self.path.read_bytes()


def _session_key(purpose: str) -> str:
    return f"import-{purpose}"


def _path(token: str) -> Path:
    return upload_dir() / f"{token}.upload"


def stage(session: Any, purpose: str, content: bytes, name: str, **extra: Any) -> StagedUpload:
    """Keep `content` for `purpose` (e.g. "organizations") in this session."""
    discard(session, purpose)
    upload_dir().mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(16)
    _path(token).write_bytes(content)
    session[_session_key(purpose)] = {"token": token, "name": name, **extra}
    return StagedUpload(_path(token), name, extra)


def staged(session: Any, purpose: str) -> StagedUpload | None:
    """The file staged for `purpose` in this session, or None (never staged, or gone)."""
    entry = session.get(_session_key(purpose))
    if (
        not isinstance(entry, dict)
        or not str(entry.get("token", "")).replace("-", "").replace("_", "").isalnum()
    ):
        return None
    path = _path(entry["token"])
    if not path.exists():
        return None
    extra = {k: v for k, v in entry.items() if k not in ("token", "name")}
    return StagedUpload(path, entry.get("name", ""), extra)


def discard(session: Any, purpose: str) -> None:
    """Forget the file staged for `purpose` and delete it."""
    entry = session.pop(_session_key(purpose), None)
    if isinstance(entry, dict) and entry.get("token"):
        _path(str(entry["token"])).unlink(missing_ok=True)
