"""The README's commands work in a checkout after `make demo` (manage.py reads var/demo.env),
while a start without a key is still refused: on the command line without var/demo.env, and in
the WSGI entry point (gunicorn) always."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
REFUSED = "请设置环境变量 KECHUANG_SECRET_KEY"


def run(args: list[str], var_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("KECHUANG_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env["KECHUANG_VAR_DIR"] = str(var_dir)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def write_demo_env(var_dir: Path) -> None:
    (var_dir / "demo.env").write_text(
        "# written by make demo\nKECHUANG_HTTPS=0\nKECHUANG_SECRET_KEY=k" + "x" * 50 + "\n"
        "KECHUANG_ALLOWED_HOSTS=127.0.0.1,localhost\n",
        encoding="utf-8",
    )


def test_manage_py_reads_the_demo_settings(tmp_path: Path) -> None:
    write_demo_env(tmp_path)
    done = run(["manage.py", "check"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout


def test_manage_py_without_demo_settings_is_refused(tmp_path: Path) -> None:
    done = run(["manage.py", "check"], tmp_path)
    assert done.returncode != 0
    assert REFUSED in done.stderr


def test_the_wsgi_entry_point_never_reads_them(tmp_path: Path) -> None:
    write_demo_env(tmp_path)
    code = "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'kechuang.settings'); "
    code += "import kechuang.wsgi"
    done = run(["-c", code], tmp_path)
    assert done.returncode != 0
    assert REFUSED in done.stderr
