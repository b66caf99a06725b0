"""The checkout's demo settings for the command line.

`make demo` writes `var/demo.env` (the demo's plain-HTTP settings and the key generated for this
checkout). `manage.py` reads it when no `KECHUANG_SECRET_KEY` is set, so every command the README
shows works in a checkout after `make demo`. Only `manage.py` reads it: the WSGI entry point
(gunicorn) never does, so a production start without a key is still refused, and a checkout
without `var/demo.env` (no `make demo`) is refused on the command line too.
"""

from __future__ import annotations

import os
from pathlib import Path

DEMO_ENV = "demo.env"


def load_demo_env(var_dir: Path | None = None) -> bool:
    """Set the variables of `var/demo.env` that the environment does not set; True if read."""
    if os.environ.get("KECHUANG_SECRET_KEY"):
        return False
    base = Path(__file__).resolve().parent.parent
    path = (var_dir or Path(os.environ.get("KECHUANG_VAR_DIR", base / "var"))) / DEMO_ENV
    if not path.is_file():
        return False
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.strip().partition("=")
        if sep and name.startswith("KECHUANG_") and not line.lstrip().startswith("#"):
            os.environ.setdefault(name, value)
    return True
