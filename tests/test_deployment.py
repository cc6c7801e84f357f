"""The production configuration and the container files are right, though no container runs here."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-like-secret-key-with-enough-length-and-variety-3f9a1c7e5b",
    "PARTICIPANT_CODE_SECRET": "a-production-like-code-secret-kept-with-the-backups-8c2d4e6f",
    "REPORT_DISCLOSURE_KEY": "a-production-like-disclosure-key-kept-with-the-backups-5e1b9d2a",
    "ALLOWED_HOSTS": "hr.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
}


def production_env(**overrides: str) -> dict[str, str]:
    # The browser tests allow sync ORM calls beside Playwright's event loop; production must not.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**inherited, **PRODUCTION_ENV, **overrides}


def test_check_deploy_is_clean_under_production_settings():
    env = production_env()

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "secret", ["SECRET_KEY", "PARTICIPANT_CODE_SECRET", "REPORT_DISCLOSURE_KEY"]
)
def test_production_refuses_to_start_without_each_secret(secret):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=production_env(**{secret: ""}),
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert f"{secret} must be set" in result.stderr


def test_compose_file_defines_every_service_with_health_checks():
    # The deploy check (tests/test_deploy_stack.py) runs them; this says what must be there.
    compose = yaml.safe_load(Path(settings.BASE_DIR, "docker-compose.yml").read_text())
    services = compose["services"]

    assert set(services) == {"caddy", "migrate", "web", "worker", "beat", "postgres", "redis"}
    for name in ("web", "worker", "beat", "postgres", "redis"):
        assert "healthcheck" in services[name], name
    assert "gunicorn" in " ".join(services["web"]["command"])
    assert "setup_database_roles" in " ".join(services["migrate"]["command"])
    assert services["migrate"]["restart"] == "no"
    assert {"pgdata", "caddy-data", "caddy-config"} <= set(compose["volumes"])
    for name in ("migrate", "web", "worker", "beat"):
        assert services[name]["env_file"] == ".env", name
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
        env = services[name]["environment"]
        assert env["TRUSTED_PROXY_COUNT"] == "1"
        assert "@${DATABASE_HOST:-postgres}" in env["DATABASE_URL"]
    # Only Caddy is reachable from outside.
    assert [name for name in services if services[name].get("ports")] == ["caddy"]


def test_the_image_runs_as_its_own_user_with_a_health_check():
    dockerfile = Path(settings.BASE_DIR, "Dockerfile").read_text()

    assert "COPY --chown=hrprogram:hrprogram . ." in dockerfile
    assert "\nUSER hrprogram\n" in dockerfile
    assert "HEALTHCHECK" in dockerfile
    assert "healthz?part=web" in dockerfile


def test_every_required_setting_is_in_the_example_env_file():
    example = Path(settings.BASE_DIR, ".env.example").read_text()

    for name in (
        "DOMAIN",
        "CADDY_TLS",
        "SECRET_KEY",
        "PARTICIPANT_CODE_SECRET",
        "REPORT_DISCLOSURE_KEY",
        "POSTGRES_PASSWORD",
        "APP_DATABASE_PASSWORD",
        "EMAIL_HOST",
        "ADMINS",
    ):
        assert f"\n{name}=" in example, name
