"""Under production settings (DEBUG off, a long random key, real host names) Django's own
deployment check finds nothing, and an HTTPS response carries HSTS, the CSP and Secure cookies.

Settings are read once per process, so each check runs in a subprocess with that environment.
"""

import json
import os
import secrets
import subprocess
import sys

from django.conf import settings

HOST = "hr.example.org"


def production_env(**overrides: str) -> dict[str, str]:
    # The browser tests allow sync ORM calls beside Playwright's event loop; production must not.
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG", "SECURE_HSTS_SECONDS"}
    }
    return {
        **inherited,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PARTICIPANT_CODE_SECRET": secrets.token_urlsafe(50),
        "REPORT_DISCLOSURE_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": "sqlite:///:memory:",
        **overrides,
    }


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_finds_no_issues_under_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_would_flag_a_missing_hsts_header():
    # The same check, one setting weakened: proves the test above can fail.
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(SECURE_HSTS_SECONDS="0")
    )

    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


# An HTTPS request served by the production settings, through the whole middleware stack.
# Only responses that render no template: static files are not collected here.
PROBE = f"""
import json
from django.test import Client
client = Client(HTTP_HOST="{HOST}")
redirect = client.get("/accounts/two-factor/", secure=True)
language = client.post("/language/", {{"language": "es", "next": "/"}}, secure=True)
cookie = language.cookies["django_language"]
print(json.dumps({{
    "status": redirect.status_code,
    "headers": dict(redirect.headers),
    "language_cookie": {{"secure": cookie["secure"], "httponly": cookie["httponly"]}},
    "plain_http_status": client.get("/accounts/two-factor/").status_code,
}}))
"""


def test_https_responses_in_production_carry_hsts_the_policy_and_secure_cookies():
    result = run_manage("shell", "--no-imports", "-c", PROBE, env=production_env())

    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    headers = probe["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert probe["language_cookie"] == {"secure": True, "httponly": True}
    # Plain HTTP is sent to HTTPS.
    assert probe["plain_http_status"] == 301


# Behind no proxy, a client's X-Forwarded-Proto is not believed; behind one (Caddy) it is.
# The health check asks gunicorn over plain HTTP and is not redirected.
FORWARDED_PROBE = f"""
import json
from django.test import Client
client = Client(HTTP_HOST="{HOST}")
print(json.dumps({{
    "claimed_https": client.get(
        "/accounts/two-factor/", HTTP_X_FORWARDED_PROTO="https"
    ).status_code,
    "health": client.get("/healthz", {{"part": "web"}}).status_code,
}}))
"""


def forwarded_probe(**env: str) -> dict:
    result = run_manage("shell", "--no-imports", "-c", FORWARDED_PROBE, env=production_env(**env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_x_forwarded_proto_is_believed_only_behind_the_trusted_proxy():
    assert forwarded_probe(TRUSTED_PROXY_COUNT="0")["claimed_https"] == 301
    # Believed: on to the page, which sends a signed-out visitor to sign in.
    assert forwarded_probe(TRUSTED_PROXY_COUNT="1")["claimed_https"] == 302


def test_the_health_check_is_answered_over_plain_http():
    assert forwarded_probe(TRUSTED_PROXY_COUNT="1")["health"] == 200
