"""Production settings are safe by default and read from KECHUANG_* variables."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def settings_in_subprocess(
    env: dict[str, str], expression: str
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KECHUANG_", "DJANGO_"))}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "kechuang.settings"
    code = (
        f"import django; django.setup(); from django.conf import settings as s; print({expression})"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, cwd=ROOT, capture_output=True, text=True
    )


def test_production_defaults_are_safe() -> None:
    result = settings_in_subprocess(
        {"KECHUANG_SECRET_KEY": "k" * 60},
        "s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE']",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "False True True True 31536000 ['127.0.0.1', 'localhost'] django.db.backends.sqlite3"
    )


def test_missing_secret_key_refuses_to_start() -> None:
    result = settings_in_subprocess({}, "s.SECRET_KEY")
    assert result.returncode != 0 and "KECHUANG_SECRET_KEY" in result.stderr


def test_database_url_and_hosts_come_from_the_environment() -> None:
    result = settings_in_subprocess(
        {
            "KECHUANG_SECRET_KEY": "k" * 60,
            "KECHUANG_ALLOWED_HOSTS": "kc.example.gov.cn, 10.0.0.5",
            "KECHUANG_DATABASE_URL": "postgres://u:p@db.internal:5432/kc",
        },
        "s.ALLOWED_HOSTS, s.DATABASES['default']['HOST'], s.DATABASES['default']['NAME']",
    )
    assert result.stdout.strip() == "['kc.example.gov.cn', '10.0.0.5'] db.internal kc"


def test_deploy_check_is_clean() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KECHUANG_", "DJANGO_"))}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            "--settings=kechuang.settings_deploy_check",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_collectstatic_succeeds_with_the_production_storage(tmp_path: Path) -> None:
    # The hashed, compressed storage resolves every url() and sourceMappingURL in the vendored
    # assets; a missing file would break `make demo` at start-up.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KECHUANG_", "DJANGO_"))}
    env.update({"KECHUANG_SECRET_KEY": "k" * 60, "KECHUANG_VAR_DIR": str(tmp_path)})
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert (
        "vendor/bootstrap/bootstrap.min.css" in manifest
        and "vendor/echarts/echarts.min.js" in manifest
    )
