"""The encounter screen as an installable app: its manifest and its service worker."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_service_worker_is_served_from_the_site_root_to_control_every_page(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    assert b'addEventListener("fetch"' in response.content


def test_manifest_installs_the_encounter_screen_as_a_standalone_app(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == reverse("encounters:new")
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_manifest_speaks_the_visitors_language(client):
    response = client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="es")

    assert json.loads(response.content)["lang"] == "es"


def test_encounter_screen_links_the_manifest_and_tells_the_script_whose_queue_it_is(
    client, outreach_a
):
    client.force_login(outreach_a)

    response = client.get(reverse("encounters:new"))

    assert response.status_code == 200
    page = response.text
    assert 'rel="manifest"' in page
    config = json.loads(
        page.split('<script id="offline-config" type="application/json">')[1].split("</script>")[0]
    )
    assert config["user"] == outreach_a.pk
    assert config["sync"] == "/api/v1/sync/"
    assert config["service_worker"] == "/sw.js"
    strings = page.split('<script id="offline-strings" type="application/json">')[1]
    assert "waiting to sync" in strings


def test_encounter_screen_has_no_inline_script(client, outreach_a):
    client.force_login(outreach_a)

    page = client.get(reverse("encounters:new")).text

    for tag in page.split("<script")[1:]:
        opening = tag.split(">", 1)[0]
        assert "src=" in opening or 'type="application/json"' in opening, opening
    assert " style=" not in page
    assert " onclick=" not in page
