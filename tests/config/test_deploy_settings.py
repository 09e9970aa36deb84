"""Secrets fail closed in production, and `check --deploy` is clean with the documented variables.

Each case starts a fresh Python process with `config.settings` (the production settings, DEBUG off
unless DJANGO_DEBUG says otherwise), because settings are read once per process."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = secrets.token_urlsafe(50)
GOOD_PSEUDONYM_KEY = secrets.token_urlsafe(50)

# The production variables the README documents, for a site behind a TLS-terminating proxy.
PRODUCTION = {
    "DJANGO_SECRET_KEY": GOOD_SECRET,
    "FORLOEB_PSEUDONYM_KEY": GOOD_PSEUDONYM_KEY,
    "DJANGO_ALLOWED_HOSTS": "forloeb.kommune.dk",
    "DJANGO_SECURE_COOKIES": "true",
    "DJANGO_SECURE_SSL_REDIRECT": "true",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "true",
    "DJANGO_SECURE_HSTS_SECONDS": "31536000",
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "DJANGO_SECURE_HSTS_PRELOAD": "true",
}


def manage(*args: str, **variables: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FORLOEB_"))}
    # A database URL that is never connected to: settings and `check` do not open a connection.
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL="postgres://forloeb@localhost:1/forloeb")
    env.update(variables)
    return subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "FORLOEB_PSEUDONYM_KEY"])
def test_the_app_refuses_to_start_in_production_without_a_key_and_names_it(missing):
    variables = {**PRODUCTION}
    del variables[missing]
    result = manage("check", **variables)
    assert result.returncode != 0
    assert f"Forløb starter ikke: {missing} er ikke sat" in result.stderr
    assert "DJANGO_DEBUG=true" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_SECRET_KEY", "insecure-development-key-only-for-local-use"),
        ("FORLOEB_PSEUDONYM_KEY", "insecure-development-pseudonym-key"),
        ("DJANGO_SECRET_KEY", "django-insecure-" + "x1y2z3" * 10),
    ],
)
def test_the_app_refuses_a_publicly_known_development_key(name, value):
    result = manage("check", **{**PRODUCTION, name: value})
    assert result.returncode != 0
    assert f"{name} er en offentligt kendt udviklingsnøgle" in result.stderr
    assert value not in result.stderr  # the message names the variable, never echoes the key


@pytest.mark.parametrize("value", ["kort-nøgle", "a" * 60])
def test_the_app_refuses_a_pseudonym_key_too_short_or_too_uniform_to_be_secret(value):
    result = manage("check", **{**PRODUCTION, "FORLOEB_PSEUDONYM_KEY": value})
    assert result.returncode != 0
    assert "FORLOEB_PSEUDONYM_KEY er for kort eller for ensartet" in result.stderr


def test_development_with_debug_on_starts_on_the_development_keys():
    result = manage("check", DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_with_the_documented_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_readme_documents_every_production_variable_and_no_undocumented_switch():
    readme = (ROOT / "README.md").read_text()
    for name in PRODUCTION:
        assert f"`{name}`" in readme, name
    settings_source = (ROOT / "config" / "settings.py").read_text()
    assert "FORLOEB_REQUIRE_SECRET" not in settings_source
