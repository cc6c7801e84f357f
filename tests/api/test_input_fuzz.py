"""Hypothesis against the API's writes with the inputs that once gave a 500: JSON nested at any
depth, and times anywhere in Python's range, with and without an offset. The schema-driven run
(test_schema.py) makes values that fit the schema's types; these are the ones around it.

Properties: no answer is a 5xx; every answer is JSON; a sync batch always answers 200 with one
result per item (or 400 for the whole envelope), and nothing of a rejected item is stored."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.views import APIView

from core.rest.fields import SaneDateField, SaneDateTimeField
from encounters.models import Encounter

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

offsets = st.one_of(
    st.none(),
    st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timedelta(minutes=m)),
)


@st.composite
def moments(draw) -> str:
    """Any time Python can write: year 1 to 9999, naive or with an offset, or a near miss."""
    moment = draw(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
    offset = draw(offsets)
    text = moment.isoformat()
    if offset is not None:
        sign = "-" if offset < timedelta(0) else "+"
        minutes = abs(int(offset.total_seconds())) // 60
        text += f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return draw(st.sampled_from([text, text + "Z", text[:10], text.replace("T", " ")]))


def nest(value, depth: int, kind: str):
    text = json.dumps(value)
    opening, closing = ("[", "]") if kind == "list" else ('{"a":', "}")
    return opening * depth + text + closing * depth


@pytest.fixture
def unthrottled(monkeypatch):
    monkeypatch.setattr(APIView, "throttle_classes", [])


def item(site, occurred_at) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "occurred_at": occurred_at,
        "location": site.pk,
        "kind": "fixed_site",
        "participant": None,
    }


def test_any_time_gives_an_answer_and_never_a_server_error(outreach_a_api, site_a, unthrottled):
    @FUZZ
    @given(occurred_at=moments())
    def run(occurred_at):
        single = outreach_a_api.post(
            "/api/v1/encounters/", item(site_a, occurred_at), format="json"
        )
        assert single.status_code < 500, (occurred_at, single.content)
        batch = [item(site_a, datetime.now(UTC).isoformat()), item(site_a, occurred_at)]
        synced = outreach_a_api.post("/api/v1/sync/", {"items": batch}, format="json")
        assert synced.status_code == 200, (occurred_at, synced.content)
        results = synced.json()["results"]
        assert [r["id"] for r in results] == [entry["id"] for entry in batch]
        assert results[0]["status"] == "created"
        stored = Encounter.objects.filter(pk=batch[1]["id"]).exists()
        assert stored == (results[1]["status"] == "created")

    run()


@pytest.mark.parametrize(
    "url", ["/api/v1/encounters/", "/api/v1/sync/", "/api/v1/participants/lookup/"]
)
def test_json_nested_at_any_depth_gives_a_json_answer_and_never_a_server_error(
    outreach_a_api, site_a, unthrottled, url
):
    @FUZZ
    @given(
        depth=st.one_of(st.integers(0, 40), st.integers(40, 5000)),
        kind=st.sampled_from(["list", "object"]),
        where=st.sampled_from(["body", "items", "field"]),
    )
    def run(depth, kind, where):
        entry = item(site_a, datetime.now(UTC).isoformat())
        if where == "body":
            body = nest(entry, depth, kind)
        elif where == "items":
            body = '{"items": ' + nest([entry], depth, kind) + "}"
        else:
            body = json.dumps({"items": [{**entry, "supplies": "@"}]}).replace(
                '"@"', nest([], depth, kind)
            )
        response = outreach_a_api.post(url, body, content_type="application/json")
        assert response.status_code < 500, (depth, kind, where)
        assert response["Content-Type"] == "application/json"

    run()


def every_serializer_of_the_api():
    import api.urls  # noqa: F401  (imports every app's API module)

    def below(cls):
        for subclass in cls.__subclasses__():
            yield subclass
            yield from below(subclass)

    return sorted(
        {
            cls
            for cls in below(serializers.Serializer)
            if cls.__module__.split(".")[0] not in {"rest_framework", "drf_spectacular", "core"}
        },
        key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
    )


def test_every_date_and_time_the_api_takes_is_one_the_system_can_hold():
    loose = [
        f"{cls.__module__}.{cls.__qualname__}.{name}"
        for cls in every_serializer_of_the_api()
        for name, field in cls().fields.items()
        if isinstance(field, serializers.DateField | serializers.DateTimeField)
        and not field.read_only
        and not isinstance(field, SaneDateField | SaneDateTimeField)
    ]

    assert every_serializer_of_the_api(), "the walk found no serializer"
    assert not loose, f"use core.rest.serializers.ModelSerializer or core.rest.fields: {loose}"


def writable_fields(fields, prefix=""):
    for name, field in fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.ListSerializer):
            yield from writable_fields(field.child.fields, f"{prefix}{name}[].")
        elif isinstance(field, serializers.Serializer):
            yield from writable_fields(field.fields, f"{prefix}{name}.")
        elif isinstance(field, serializers.ListField):
            yield f"{prefix}{name}[]", field.child
        else:
            yield f"{prefix}{name}", field


def test_every_number_the_api_takes_has_a_bound_its_column_can_hold():
    unbounded = [
        f"{cls.__module__}.{cls.__qualname__}.{name}"
        for cls in every_serializer_of_the_api()
        for name, field in writable_fields(cls().fields)
        if isinstance(field, serializers.IntegerField) and field.max_value is None
    ]

    assert not unbounded, f"give a max_value (core.rest.fields.IdField for ids): {unbounded}"
