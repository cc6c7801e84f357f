"""The encounter screen as an installable app: its manifest and its service worker."""

import json
import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
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


@pytest.mark.parametrize("path", ["/sw.js", "/manifest.webmanifest"])
def test_head_is_answered_like_get_without_a_body(client, path):
    # Browsers and proxies check for a newer worker or manifest with HEAD.
    got = client.get(path)
    response = client.head(path)

    assert response.status_code == 200
    assert response["Content-Type"] == got["Content-Type"]
    assert response.content == b""


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
    # The words of the offline scripts: the page's language's JavaScript catalogue.
    assert re.search(r'<script src="/jsi18n/en/\?v=\w+"></script>', page)


def test_encounter_screen_has_no_inline_script(client, outreach_a):
    client.force_login(outreach_a)

    page = client.get(reverse("encounters:new")).text

    for tag in page.split("<script")[1:]:
        opening = tag.split(">", 1)[0]
        assert "src=" in opening or 'type="application/json"' in opening, opening
    assert " style=" not in page
    assert " onclick=" not in page


WORKER_CONFIG = "self.OFFLINE_CONFIG = "


def worker_config(response) -> dict:
    """The configuration the server puts before the service worker's source."""
    first_line = response.content.decode().split("\n", 1)[0]
    assert first_line.startswith(WORKER_CONFIG) and first_line.endswith(";"), first_line
    return json.loads(first_line.removeprefix(WORKER_CONFIG).removesuffix(";"))


def page_config(page: str) -> dict:
    return json.loads(
        page.split('<script id="offline-config" type="application/json">')[1].split("</script>")[0]
    )


def test_service_worker_gets_the_urls_of_the_pages_offline_configuration(client, outreach_a):
    client.force_login(outreach_a)

    page = client.get(reverse("encounters:new")).text
    worker = worker_config(client.get(reverse("encounters:service_worker")))

    urls = {key: value for key, value in page_config(page).items() if key != "user"}
    assert {key: value for key, value in worker.items() if key not in {"assets", "version"}} == urls
    assert worker["version"]  # of the modules whose names carry no hash
    assert worker["page"] == "/encounters/new/"
    assert worker["logout"] == reverse("logout")
    assert worker["static"] == settings.STATIC_URL


def test_service_worker_source_names_no_url_of_the_app(client):
    worker = worker_config(client.get("/sw.js"))
    with open(finders.find("js/offline/sw.js"), encoding="utf-8") as file:
        source = file.read()

    urls = [*worker["assets"], *worker["catalogue"]]
    urls += [value for value in worker.values() if isinstance(value, str)]
    paths = {urlsplit(url).path for url in urls}
    # Neither the URLs nor their first segments (/static/, /api/, /participants/, ...).
    prefixes = {f"/{path.split('/')[1]}/" for path in paths if path.count("/") > 1}
    assert {"/static/", "/api/", "/participants/", "/encounters/", "/accounts/"} <= prefixes
    # The site's root ("/", the home page) is in every comment; the worker gets it all the same.
    for text in (paths | prefixes) - {"/"}:
        assert text not in source, text


@pytest.mark.urls("tests.moved_site_urls")
def test_moved_urls_reach_the_service_worker(client, outreach_a):
    client.force_login(outreach_a)

    worker = worker_config(client.get("/field/sw.js"))

    assert worker["page"] == "/field/encounters/new/"
    assert worker["search"] == "/field/participants/search/"
    assert worker["logout"] == "/field/accounts/logout/"
    assert worker["recent"].startswith("/field/api/")
    assert all(url.startswith("/field/api/") for url in worker["catalogue"])
    page = client.get("/field/encounters/new/").text
    assert page_config(page)["service_worker"] == "/field/sw.js"


def imported_modules(name: str, found: set[str] | None = None) -> set[str]:
    """The static names of the modules `name` imports by relative path, however deep."""
    found = set() if found is None else found
    with open(finders.find(name), encoding="utf-8") as file:
        source = file.read()
    folder = name.rsplit("/", 1)[0]
    for module in re.findall(r'(?:from|import)\s+"\./([\w.-]+\.js)"', source):
        if f"{folder}/{module}" not in found:
            found.add(f"{folder}/{module}")
            imported_modules(f"{folder}/{module}", found)
    return found


def test_service_worker_keeps_every_static_file_of_the_encounter_page(client, outreach_a):
    client.force_login(outreach_a)

    page = client.get(reverse("encounters:new")).text
    assets = worker_config(client.get("/sw.js"))["assets"]

    named = set(re.findall(rf'(?:src|href)="({settings.STATIC_URL}[^"]+)"', page))
    assert any(url.endswith("/page.js") for url in named)
    assert named <= set(assets), named - set(assets)
    modules = imported_modules("js/offline/page.js")
    assert {"js/offline/queue.js", "js/offline/entry.js", "js/offline/worker.js"} <= modules
    for module in modules:
        assert f"{settings.STATIC_URL}{module}" in assets
    # The words of its scripts, in the page's language and every other one.
    catalogues = [url for url in assets if not url.startswith(settings.STATIC_URL)]
    assert re.search(r'<script src="([^"]+)"></script>', page)[1] in catalogues
    assert sorted(urlsplit(url).path for url in catalogues) == ["/jsi18n/en/", "/jsi18n/es/"]
    # The worker's install fails if one of them cannot be fetched.
    for url in assets:
        if url in catalogues:
            assert client.get(url).status_code == 200, url
        else:
            assert finders.find(url.removeprefix(settings.STATIC_URL)), url
    assert not any(url.endswith("/sw.js") for url in assets)
