"""Production settings refuse to start without a secret, and pass Django's deployment checks.

Each case runs in a subprocess with a clean environment (no DJANGO_SECRET_KEY, DATABASE_URL,
...): settings are read once per process, and the suite itself runs with the test settings.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management.utils import get_random_secret_key

ROOT = Path(__file__).resolve().parent.parent

IMPORT_SETTINGS = """
import importlib, sys
from django.core.exceptions import ImproperlyConfigured
try:
    settings = importlib.import_module("erp_portal.settings")
except ImproperlyConfigured as exc:
    print(f"ImproperlyConfigured: {exc}")
    sys.exit(3)
print(f"DEBUG={settings.DEBUG}")
"""


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        "PATH": os.defpath,
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "ERP_PORTAL_VAR_DIR": str(tmp_path / "var"),
        **env,
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("debug", ["0", "false", None], ids=["DEBUG=0", "DEBUG=false", "unset"])
def test_production_settings_require_a_secret_key(tmp_path: Path, debug: str | None) -> None:
    env = {} if debug is None else {"DJANGO_DEBUG": debug}

    result = _run(["-c", IMPORT_SETTINGS], tmp_path, **env)

    assert result.returncode == 3, result.stdout + result.stderr
    assert "ImproperlyConfigured" in result.stdout
    assert "DJANGO_SECRET_KEY" in result.stdout


def test_production_settings_reject_an_empty_secret_key(tmp_path: Path) -> None:
    result = _run(["-c", IMPORT_SETTINGS], tmp_path, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="")

    assert result.returncode == 3, result.stdout + result.stderr


def test_development_settings_need_no_secret(tmp_path: Path) -> None:
    result = _run(["-c", IMPORT_SETTINGS], tmp_path, DJANGO_DEBUG="1")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "DEBUG=True" in result.stdout


def _production(secret: str) -> dict[str, str]:
    """What a production deployment sets: no DEBUG, a secret, keys for the ERP secrets."""
    return {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secret,
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }


def test_deploy_checks_pass_with_production_settings(tmp_path: Path) -> None:
    secret = get_random_secret_key()
    assert len(secret) == 50

    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        **_production(secret),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_secret_key_starting_with_a_dollar_is_taken_as_is(tmp_path: Path) -> None:
    """Django's own generator uses "$"; the key is the value, not the name of another variable."""
    secret = "$" + get_random_secret_key()[1:]
    script = "import erp_portal.settings as s; print(s.SECRET_KEY)"
    result = _run(["-c", script], tmp_path, **_production(secret))

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == secret


def test_deploy_checks_catch_a_weak_secret_key(tmp_path: Path) -> None:
    """The check above is a real gate: a guessable key makes the same command fail."""
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        **_production("x" * 50),
    )

    assert result.returncode != 0
    assert "security.W009" in result.stderr
