"""Production configuration: the README's variables pass `check --deploy` with no warnings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The variables README.md shows for production.
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "pQ7v1Xz3rT9mL2kB8nC4yH6wJ0sD5fG1aZ7xE3uR9iO2pK8qW4eY6tU0",
    "DJANGO_ALLOWED_HOSTS": "network-center.example.ru",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://network-center.example.ru",
    "DATABASE_URL": "postgres://network_center@127.0.0.1:5432/network_center",
    "SITE_URL": "https://network-center.example.ru",
}


def run_manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "network_center.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_readme_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_nonsense_boolean_stops_start_up(value):
    result = run_manage("check", env={**PRODUCTION_ENV, "DJANGO_DEBUG": value})
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be one of" in result.stderr
