"""Settings come from the environment and fail loudly on a bad value."""

import os
import subprocess
import sys

import pytest

from alliances.lib.email_url import parse_email_url


def run_check(**env: str) -> subprocess.CompletedProcess:
    dropped = {"DATABASE_URL", "CI", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "alliances", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True, text=True, env=environment, timeout=120,
    )


def test_production_requires_a_secret_key():
    result = run_check(ALLIANCES_ENV="production", SECRET_KEY="", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_the_deployment_checks():
    result = run_check(
        ALLIANCES_ENV="production",
        SECRET_KEY="k" * 20 + "-production-secret-for-the-test-0123456789",
        ALLOWED_HOSTS="alliances.example.org",
    )
    assert result.returncode == 0, result.stderr


def test_a_bad_boolean_is_refused_with_its_name():
    result = run_check(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe'" in result.stderr


def test_email_url_smtp_with_credentials():
    mailer = parse_email_url("submission://me%40example.org:s3cret@smtp.example.org")
    assert mailer["OPTIONS"] == {
        "host": "smtp.example.org", "port": 587, "username": "me@example.org",
        "password": "s3cret", "use_ssl": False, "use_tls": True,
    }


def test_email_url_empty_is_the_console():
    assert parse_email_url("")["BACKEND"].endswith("console.EmailBackend")


def test_email_url_unknown_scheme_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL scheme 'http'"):
        parse_email_url("http://example.org")


def test_production_cookies_and_headers(settings):
    # The test run itself is in development mode: production flags are checked above
    # through `check --deploy`; here, the headers every response carries.
    assert settings.SECURE_CSP["script-src"] == ["'self'"]
    assert settings.X_FRAME_OPTIONS == "DENY"
