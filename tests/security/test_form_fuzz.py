"""Bad input never makes a 500: every form of every page, filled with hostile values.

The test signs in as a manager and an outreach worker of program A (and stays signed out for
the sign-in pages), walks every page it can reach from the URLconf and from links, reads each
form off the HTML as a browser would (fields, hidden values, options, htmx targets), and lets
Hypothesis submit variations: fields dropped, options swapped, and values that are empty, huge,
negative, not numbers, impossible dates, control characters, right-to-left marks, emoji, markup.
Each submission runs in a savepoint that is rolled back, so every example starts from the same
data. The API has its own schema-driven fuzzing.
"""

import contextlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import (
    NoReverseMatch,
    Resolver404,
    URLPattern,
    URLResolver,
    get_resolver,
    resolve,
    reverse,
)
from hypothesis import HealthCheck, Phase, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from encounters import services as encounter_services
from participants import services as participant_services
from referrals.models import Partner
from referrals.services import make_referral
from supplies.catalogue import load_usual_catalogue, stock_demo_locations
from supplies.models import Item
from tests.conftest import PROGRAM_TODAY
from training.models import TrainingSession
from training.services import record_training_session

pytestmark = pytest.mark.django_db

# Random variations per form, after the fixed ones. A form the manager's pass covered gets two
# fixed ones for the outreach worker, whose permissions differ but whose fields do not.
RANDOM_EXAMPLES = 3
MAX_PAGES_PER_USER = 80
# Not pages to fill in: leaving, static files, the admin (its own forms), the API (schemathesis).
SKIPPED_PREFIXES = ("/static/", "/media/", "/admin/", "/api/", "/accounts/logout/")

NASTY_VALUES = [
    "",
    " ",
    "0",
    "-1",
    "1.5",
    "-0",
    "1e309",
    "NaN",
    "inf",
    "9" * 40,
    str(2**63),
    str(-(2**63) - 1),
    "١٢٣",  # Arabic-Indic digits: int() takes them
    "a" * 5000,
    "x" * 70000,
    "\x00",
    "abc\x00def",
    "\r\n\t",
    "\u202eevil",
    "🙂" * 30,
    "wörld ñ 中文 \U0001d4d7\u0645\u0631\u062d\u0628\u0627",  # accents, CJK, math, Arabic
    "2024-02-30",
    "0000-00-00",
    "9999-12-31",
    "9999-11-30",
    "2101-01-01",
    "1900-01-01",
    "0001-01-01",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "31/12/2024",
    "2024-13-01T25:61",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '"; DROP TABLE participants_participant; --',
    "../../etc/passwd",
    "%s%s%s%n",
    "{{ 7*7 }}",
    "null",
    "true",
    "[]",
    "{}",
    "HR-",
    "HR-ZZZZZ",
    "anonymous",
    str(uuid.UUID(int=0)),
    "not-a-uuid",
]


@dataclass
class FormField:
    name: str
    kind: str  # input type, "select", "textarea", "button"
    value: str = ""
    options: list[str] = field(default_factory=list)
    multiple: bool = False


@dataclass
class PageForm:
    method: str
    action: str
    fields: list[FormField] = field(default_factory=list)

    @property
    def key(self) -> tuple:
        """Forms of one view are one form: the delete page of two participants is fuzzed once."""
        match = resolve(urlsplit(self.action).path)
        return (self.method, match.view_name)


class FormReader(HTMLParser):
    """The forms of a page as a browser sees them, and the links and htmx URLs to follow.

    An htmx button that posts (`hx-post`) counts as a form of its own, sending the fields of
    its form, or of the page around it when it is outside any form (its `hx-include`).
    """

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[PageForm] = []
        self.links: list[str] = []
        self._form: PageForm | None = None
        self._select: FormField | None = None
        self._textarea: FormField | None = None
        self._form_fields: dict[str, FormField] = {}
        self._loose_fields: dict[str, FormField] = {}
        self._htmx_posts: list[tuple[str, dict]] = []

    @property
    def _fields(self) -> dict[str, FormField]:
        return self._form_fields if self._form is not None else self._loose_fields

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for attribute in ("href", "hx-get"):
            if attrs.get(attribute):
                self.links.append(urljoin(self.page_url, attrs[attribute]))
        if tag == "form":
            method = "post" if attrs.get("hx-post") else (attrs.get("method") or "get").lower()
            action = attrs.get("hx-post") or attrs.get("hx-get") or attrs.get("action") or ""
            self._form = PageForm(method=method, action=urljoin(self.page_url, action))
            self._form_fields = {}
            self._htmx_posts = []
            return
        if attrs.get("hx-post"):
            self._htmx_post(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                entry = self._field(name, kind)
                entry.options.append(attrs.get("value", "on"))
                entry.multiple = entry.multiple or kind == "checkbox"
                if "checked" in attrs:
                    entry.value = attrs.get("value", "on")
            elif kind in ("submit", "button", "image", "reset"):
                self._field(name, "button").options.append(attrs.get("value", ""))
            else:
                self._field(name, kind).value = attrs.get("value", "")
        elif tag == "button" and name:
            self._field(name, "button").options.append(attrs.get("value", ""))
        elif tag == "select" and name:
            self._select = self._field(name, "select")
            self._select.multiple = "multiple" in attrs
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            self._select.options.append(value)
            if "selected" in attrs or not self._select.value:
                self._select.value = value
        elif tag == "textarea" and name:
            self._textarea = self._field(name, "textarea")

    def _htmx_post(self, attrs: dict) -> None:
        try:
            extra = json.loads(attrs.get("hx-vals") or "{}")
        except ValueError:
            extra = {}
        action = urljoin(self.page_url, attrs["hx-post"])
        if self._form is not None:
            self._htmx_posts.append((action, extra))
        else:
            self._add_form("post", action, self._loose_fields, extra)

    def _add_form(self, method: str, action: str, fields: dict, extra: dict) -> None:
        entries = [FormField(**vars(entry)) for entry in fields.values()]
        entries += [
            FormField(name=name, kind="hidden", value=str(value)) for name, value in extra.items()
        ]
        self.forms.append(PageForm(method=method, action=action, fields=entries))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self._add_form(self._form.method, self._form.action, self._form_fields, {})
            for action, extra in self._htmx_posts:
                self._add_form("post", action, self._form_fields, extra)
            self._form = None

    def _field(self, name: str, kind: str) -> FormField:
        if name not in self._fields:
            self._fields[name] = FormField(name=name, kind=kind)
        return self._fields[name]


def _urls_without_arguments() -> list[str]:
    """Every named URL of the project that needs no argument."""
    urls = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                with contextlib.suppress(NoReverseMatch):
                    urls.append(reverse(f"{namespace}{pattern.name}"))

    walk(get_resolver().url_patterns, "")
    return urls


def _is_followable(url: str) -> bool:
    parts = urlsplit(url)
    return (
        parts.scheme in ("", "http")
        and parts.netloc in ("", "testserver")
        and parts.path.startswith("/")
        and not parts.path.startswith(SKIPPED_PREFIXES)
        and not parts.path.endswith(".pdf")
    )


def discover_forms(client: Client, *, start: list[str] = ()) -> list[PageForm]:
    """Walk the pages this client can open and return each distinct form once.

    `start` names pages with arguments (a participant, a referral) to visit first.
    """
    queue = [*start, "/", *_urls_without_arguments()]
    seen_paths: set[str] = set()
    forms: dict[tuple, PageForm] = {}
    while queue and len(seen_paths) < MAX_PAGES_PER_USER:
        url = queue.pop(0)
        if not _is_followable(url):
            continue
        path = urlsplit(url).path
        if path in seen_paths:
            continue
        seen_paths.add(path)
        response = client.get(url, headers={"HX-Request": "true"} if "/pick/" in url else {})
        assert response.status_code < 500, f"GET {url} gave {response.status_code}"
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        reader = FormReader(urljoin("http://testserver/", url))
        reader.feed(response.content.decode())
        for form in reader.forms:
            if form.fields and _is_followable(form.action):
                with contextlib.suppress(Resolver404):
                    forms.setdefault(form.key, form)
        queue.extend(link for link in reader.links if urlsplit(link).path not in seen_paths)
    return list(forms.values())


def hostile_value(entry: FormField) -> st.SearchStrategy:
    nasty = st.sampled_from(NASTY_VALUES)
    anything = st.one_of(
        nasty,
        nasty,
        st.text(max_size=40),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
    )
    choices = [entry.value, *entry.options] if entry.options or entry.value else [""]
    single = st.one_of(st.sampled_from(choices), anything)
    if entry.multiple or entry.kind == "select":
        return st.one_of(single, st.lists(single, min_size=2, max_size=4))
    return single


def browser_submission(form: PageForm) -> dict:
    """What a browser sends when the form is submitted untouched."""
    data = {}
    for entry in form.fields:
        if entry.kind == "button":
            continue
        if entry.value or entry.kind not in ("checkbox", "radio"):
            data[entry.name] = entry.value
    return data


def submissions(form: PageForm) -> st.SearchStrategy:
    """The browser's own submission with fields kept, made hostile or dropped."""
    default = browser_submission(form)
    change = st.sampled_from(["keep", "hostile", "hostile", "drop"])
    per_field = {
        entry.name: change.flatmap(
            lambda how, entry=entry: hostile_value(entry) if how == "hostile" else st.just(how)
        )
        for entry in form.fields
    }
    return st.fixed_dictionaries(per_field).map(lambda changes: _apply(default, changes))


def _apply(default: dict, changes: dict) -> dict:
    data = dict(default)
    for name, value in changes.items():
        if value == "drop":
            data.pop(name, None)
        elif value != "keep":
            data[name] = value
    return data


# Each field gets one of these in turn, and the next one in a second submission.
EVERY_FIELD_VALUES = ["9" * 40, "-1", "2024-02-30", "", "a\u202e<b>", "1.5"]


def hostile_everywhere(form: PageForm, *, shift: int) -> dict:
    return {
        entry.name: EVERY_FIELD_VALUES[(number + shift) % len(EVERY_FIELD_VALUES)]
        for number, entry in enumerate(form.fields)
    }


def fixed_submissions(form: PageForm, *, full: bool) -> list[dict]:
    """The untouched form and one with every field hostile; with `full`, also an empty one,
    a second hostile mix, NUL characters and very long values everywhere."""
    fixed = [browser_submission(form), hostile_everywhere(form, shift=0)]
    if full:
        fixed += [
            {},
            hostile_everywhere(form, shift=1),
            {entry.name: "nul\x00" for entry in form.fields},
            {entry.name: "\U0001f642" * 300 for entry in form.fields},
        ]
    return fixed


def fuzz_form(client: Client, form: PageForm, label: str, *, full: bool) -> None:
    """Send the fixed submissions, then (with `full`) random variations of the form."""

    @hypothesis_settings(
        max_examples=RANDOM_EXAMPLES,
        phases=[Phase.explicit, Phase.generate, Phase.shrink] if full else [Phase.explicit],
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=submissions(form))
    def submit(data):
        with transaction.atomic():
            send = client.post if form.method == "post" else client.get
            response = send(form.action, data, headers={"HX-Request": "true"})
            transaction.set_rollback(True)
        assert response.status_code < 500, (
            f"{label}: {form.method.upper()} {form.action} gave {response.status_code}"
        )

    for data in fixed_submissions(form, full=full):
        submit = example(data=data)(submit)
    submit()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Sign-in and password forms hash on every try; the real hasher would cost seconds here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def own_cache(settings):
    """Rate-limit counters of this flood stay here, not in the shared cache other tests use."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"fuzz-{uuid.uuid4()}",
        }
    }


@dataclass
class World:
    participant: object
    pages: list[str]


@pytest.fixture
def world(program_a, site_a, van_a, manager_a, outreach_a):
    """Program A with stock, a participant with a visit, a referral, a partner and a training;
    `pages` are the pages with arguments the crawl starts from."""
    outreach_a.locations.add(van_a)
    load_usual_catalogue(program=program_a)
    stock_demo_locations(program=program_a, by=manager_a)
    participant, _ = participant_services.enroll_participant(
        by=outreach_a, code="MA0385TF", profile={"alias": "Sunny"}
    )
    participant_services.enroll_participant(by=outreach_a, code="MA0386TF")  # a likely duplicate
    encounter, _ = encounter_services.record_encounter(
        by=outreach_a,
        participant=participant,
        location=site_a,
        kind="fixed_site",
        supplies=[
            encounter_services.SupplyLine(item=item, quantity=1)
            for item in Item.objects.filter(program=program_a)[:2]
        ],
    )
    partner = Partner.objects.create(program=program_a, name="Shelter House", walk_in=True)
    referral = make_referral(
        by=outreach_a, participant=participant, kind="housing", partner=partner
    )
    session = record_training_session(
        by=manager_a,
        kind=TrainingSession.Kind.choices[0][0],
        held_on=PROGRAM_TODAY - timedelta(days=1),
        place="Library",
        audience=TrainingSession.Audience.COMMUNITY,
        attendee_count=3,
    )
    pages = [
        reverse("participants:detail", args=[participant.public_id]),
        f"{reverse('encounters:new')}?participant={participant.public_id}",
        f"{reverse('encounters:new')}?saved={encounter.pk}",
        reverse("referrals:new", args=[participant.public_id]),
        reverse("referrals:detail", args=[referral.pk]),
        reverse("referrals:partner_edit", args=[partner.pk]),
        reverse("training:detail", args=[session.pk]),
        reverse("supplies:count", args=[site_a.pk]),
    ]
    return World(participant=participant, pages=pages)


def test_no_form_gives_a_server_error(world, manager_a, outreach_a):
    fuzzed: set[tuple] = set()
    for user in (manager_a, outreach_a, None):
        client = Client()
        if user is not None:
            client.force_login(user)
        label = user.username if user else "signed out"
        forms = discover_forms(client, start=world.pages)
        assert forms, f"no form found as {label}: the crawl is broken"
        if user is manager_a:
            _assert_crawl_reaches_the_forms_that_matter(forms, world)
        for form in forms:
            fuzz_form(client, form, label, full=form.key not in fuzzed)
            fuzzed.add(form.key)


def _assert_crawl_reaches_the_forms_that_matter(forms: list[PageForm], world: World) -> None:
    """Guards the fuzz test itself: if the crawl stopped finding forms, it would pass vacuously."""
    paths = {urlsplit(form.action).path for form in forms}
    public_id = world.participant.public_id
    for url in (
        reverse("encounters:new"),
        reverse("participants:enroll"),
        reverse("encounters:find_by_code"),
        reverse("participants:edit", args=[public_id]),
        reverse("participants:delete", args=[public_id]),
        reverse("referrals:new", args=[public_id]),
        reverse("supplies:receive"),
        reverse("supplies:transfer"),
        reverse("supplies:adjust"),
        reverse("supplies:collection_new"),
        reverse("supplies:reversal_new"),
        reverse("referrals:partner_new"),
        reverse("training:new"),
    ):
        assert url in paths, f"no form posting to {url}"


URL_ARGUMENT_VALUES = {
    "str": ["nul\x00", "a" * 3000, "\U0001f642", "HR-ZZZZZ", "..", "9" * 30],
    "int": ["0", "9" * 30, str(2**63)],
    "uuid": [str(uuid.UUID(int=0)), str(uuid.UUID(int=2**128 - 1))],
    "regex": ["Z" * 20, "0"],
}


def _patterns_with_arguments():
    """(view name, argument names and converter kinds) of every URL that takes arguments."""

    def walk(patterns, namespace, prefix_arguments):
        for pattern in patterns:
            converters = getattr(pattern.pattern, "converters", {})
            regex_names = list(pattern.pattern.regex.groupindex)
            arguments = {
                **prefix_arguments,
                **{
                    name: type(converters[name]).__name__.removesuffix("Converter").lower()
                    if name in converters
                    else "regex"
                    for name in regex_names
                },
            }
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner, arguments)
            elif pattern.name and arguments:
                yield f"{namespace}{pattern.name}", arguments

    yield from walk(get_resolver().url_patterns, "", {})


def test_hostile_url_arguments_give_no_server_error(world, manager_a):
    client = Client()
    client.force_login(manager_a)
    tried = 0
    for view_name, arguments in _patterns_with_arguments():
        for number in range(max(len(values) for values in URL_ARGUMENT_VALUES.values())):
            kwargs = {}
            for name, kind in arguments.items():
                values = URL_ARGUMENT_VALUES.get(kind, URL_ARGUMENT_VALUES["str"])
                kwargs[name] = values[number % len(values)]
            try:
                url = reverse(view_name, kwargs=kwargs)
            except NoReverseMatch:
                continue
            if not _is_followable(url) or url.startswith("/api/"):
                continue
            for send in (client.get, client.post):
                with transaction.atomic():
                    response = send(url)
                    transaction.set_rollback(True)
                assert response.status_code < 500, f"{url!r} gave {response.status_code}"
                tried += 1
    assert tried > 50, "hardly any URL was tried: the URL walk is broken"


# The bugs this pass found, kept as plain tests that name them.


def test_nul_character_in_a_search_is_a_400_with_a_message(client, outreach_a):
    client.force_login(outreach_a)

    response = client.get(reverse("participants:list"), {"q": "ab\x00"})

    assert response.status_code == 400
    assert "not allowed" in response.content.decode()


def test_nul_character_in_an_api_path_is_a_json_400(client, outreach_a):
    client.force_login(outreach_a)

    response = client.get("/api/v1/participants/HR-\x00/")

    assert response.status_code == 400
    # Like every 400 of the API: {field: [message]}.
    assert response.json() == {
        "non_field_errors": ["The request contains a character that is not allowed (NUL)."]
    }


def test_overlong_user_name_at_sign_in_is_a_form_error(client, fast_password_hashing):
    response = client.post(reverse("login"), {"username": "x" * 300, "password": "whatever"})

    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()


def test_language_switch_with_a_view_name_as_next_still_redirects(client):
    response = client.post(reverse("accounts:language"), {"language": "es", "next": "home"})

    assert response.status_code == 302
