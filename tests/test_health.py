import pytest
from django.urls import reverse

from hrprogram.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_reports_eager_celery_in_the_embedded_default(client, settings):
    settings.REDIS_URL = ""

    response = client.get(reverse("healthz"))

    body = response.json()
    assert response.status_code == 200
    assert (body["status"], body["checks"], body["degraded"]) == (
        "ok",
        {"database": "up", "redis": "not configured", "celery": "eager"},
        [],
    )


def test_healthz_is_unavailable_when_no_worker_answers(client, settings):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: no broker to ask")
    # No test starts a worker before this one; the test broker is a database of its own.
    celery_app.conf.task_always_eager = False

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["celery"] == "down"


def test_healthz_is_unavailable_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "down"


@pytest.mark.worker
def test_healthz_with_real_postgresql_redis_and_worker(client, celery_worker_process):
    response = client.get(reverse("healthz"))

    body = response.json()
    assert response.status_code == 200
    assert (body["status"], body["checks"], body["degraded"]) == (
        "ok",
        {"database": "up", "redis": "up", "celery": "up"},
        [],
    )


def test_the_web_part_asks_only_about_this_process_and_its_database(client, settings):
    # No worker answers (the broker is a database of its own), yet the web process is healthy.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    celery_app.conf.task_always_eager = False

    response = client.get(reverse("healthz"), {"part": "web"})

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["checks"]) == ("ok", {"database": "up"})
    assert "no-store" in response["Cache-Control"]


def test_an_unknown_part_is_a_400_that_says_which_parts_there_are(client):
    response = client.get(reverse("healthz"), {"part": "everything"})

    assert response.status_code == 400
    assert "part=web" in response.json()["error"]


def test_head_is_answered_for_load_balancers(client):
    assert client.head(reverse("healthz"), {"part": "web"}).status_code == 200
