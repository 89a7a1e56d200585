"""Settings read from the environment: safe in production, loud when misconfigured.

Each case starts `manage.py` in a fresh process, because settings are read once at
import and this test process already runs with the test defaults.
"""

import os
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
# Overrides a deployer may set; the production defaults must pass without them.
_HARDENING_OVERRIDES = ("SECURE_", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "USE_X_FORW")


def _manage(*args: str, env: dict[str, str], drop: tuple[str, ...] = ()):
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key not in drop and not key.startswith(_HARDENING_OVERRIDES)
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _production_env() -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "example.org",
    }


def test_deploy_checks_pass_with_production_environment():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    env = {"DEBUG": "false", "ALLOWED_HOSTS": "example.org"}

    result = _manage("check", env=env, drop=("SECRET_KEY",))

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_without_secret_key_or_debug_manage_py_says_how_to_run_a_development_checkout():
    # README, "Configuration": manage.py on a development checkout needs DEBUG=true.
    result = _manage(
        "createsuperuser", "--email", "you@example.org", env={}, drop=("DEBUG", "SECRET_KEY")
    )

    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off "
        '(on a development checkout, export DEBUG=true; README, "Configuration")'
    )


def test_malformed_debug_value_fails_loudly_instead_of_guessing():
    env = {**_production_env(), "DEBUG": "maybe"}

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "DEBUG='maybe': expected one of true/false" in result.stderr


@pytest.mark.django_db
def test_models_have_no_missing_migrations():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"Missing migrations:\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()
