"""The offline queue's batch endpoint: each encounter stored once, bad items named, never
blocking the good ones."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from encounters import services as encounter_services
from encounters.models import Encounter
from participants.models import Participant
from supplies.models import StockLevel, StockMovement

pytestmark = pytest.mark.django_db

SYNC = "/api/v1/sync/"


def queued(location, *, participant=None, supplies=(), **extra):
    return {
        "id": str(uuid.uuid4()),
        "occurred_at": timezone.now().isoformat(),
        "location": location.pk,
        "kind": "fixed_site",
        "participant": participant.public_id if participant else None,
        "supplies": [{"item": item.pk, "quantity": quantity} for item, quantity in supplies],
        **extra,
    }


def on_hand(location, item) -> int:
    return sum(
        StockLevel.objects.filter(location=location, lot__item=item).values_list(
            "on_hand", flat=True
        )
    )


def test_the_same_batch_sent_twice_stores_each_encounter_once_and_takes_stock_once(
    outreach_a_api, site_a, stock_a, participant_a
):
    syringes = stock_a["syringes"]
    batch = [
        queued(site_a, participant=participant_a, supplies=[(syringes, 10)]),
        queued(site_a, supplies=[(syringes, 20)]),
        queued(site_a, participant=participant_a, supplies=[(syringes, 30)]),
    ]

    first = outreach_a_api.post(SYNC, {"items": batch}, format="json")
    second = outreach_a_api.post(SYNC, {"items": batch}, format="json")

    assert first.status_code == 200
    assert [r["status"] for r in first.json()["results"]] == ["created"] * 3
    assert second.status_code == 200
    assert [r["status"] for r in second.json()["results"]] == ["exists"] * 3
    assert second.json()["counts"] == {"created": 0, "exists": 3, "rejected": 0}
    assert Encounter.objects.filter(pk__in=[item["id"] for item in batch]).count() == 3
    assert on_hand(site_a, syringes) == 1000 - 60
    assert StockMovement.objects.filter(kind="distributed").count() == 3


def test_a_bad_item_is_named_and_the_good_ones_are_stored(
    outreach_a_api, site_a, stock_a, participant_a
):
    naloxone = stock_a["naloxone"]
    good_before = queued(site_a, participant=participant_a, supplies=[(naloxone, 2)])
    too_many = queued(site_a, participant=participant_a, supplies=[(naloxone, 4)])
    good_after = queued(site_a, supplies=[(stock_a["syringes"], 5)])

    response = outreach_a_api.post(
        SYNC, {"items": [good_before, too_many, good_after]}, format="json"
    )

    results = response.json()["results"]
    assert response.status_code == 200
    assert [r["status"] for r in results] == ["created", "rejected", "created"]
    assert results[1]["id"] == too_many["id"]
    assert results[1]["errors"] == {"supplies": ["Only 3 of Naloxone nasal left at A Drop-in."]}
    assert not Encounter.objects.filter(pk=too_many["id"]).exists()
    assert Encounter.objects.filter(pk__in=[good_before["id"], good_after["id"]]).count() == 2
    assert on_hand(site_a, naloxone) == 3


def test_a_location_sent_as_text_is_stored_like_a_number(outreach_a_api, site_a, stock_a):
    item = {**queued(site_a, supplies=[(stock_a["syringes"], 5)]), "location": str(site_a.pk)}

    results = outreach_a_api.post(SYNC, {"items": [item]}, format="json").json()["results"]

    assert [r["status"] for r in results] == ["created"]
    assert Encounter.objects.get(pk=item["id"]).location == site_a
    assert on_hand(site_a, stock_a["syringes"]) == 995


@pytest.mark.parametrize("shape", [[1], {"id": 1}, 1.5, True, None, "twelve"])
def test_a_location_of_any_other_shape_rejects_only_its_own_item(
    outreach_a_api, site_a, stock_a, shape
):
    good = [queued(site_a, supplies=[(stock_a["syringes"], 1)]) for _ in range(3)]
    odd = {**queued(site_a), "location": shape}

    results = outreach_a_api.post(SYNC, {"items": [*good, odd]}, format="json").json()["results"]

    assert [r["status"] for r in results] == ["created", "created", "created", "rejected"]
    assert list(results[3]["errors"]) == ["location"]
    assert not results[3].get("retry")
    assert on_hand(site_a, stock_a["syringes"]) == 997


@pytest.mark.parametrize("odd_id", ["HR-\u0000", "HR-" + "X" * 300, "HR-ÅÄÖ"])
def test_a_participant_id_no_participant_can_have_is_named_not_a_server_error(
    outreach_a_api, site_a, stock_a, odd_id
):
    good = queued(site_a)
    odd = {**queued(site_a), "participant": odd_id}

    response = outreach_a_api.post(SYNC, {"items": [good, odd]}, format="json")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "rejected"]
    assert list(results[1]["errors"]) == ["participant"]


def test_a_rejected_item_can_be_fixed_and_resent(outreach_a_api, site_a, stock_a):
    item = queued(site_a, supplies=[(stock_a["naloxone"], 6)])
    rejected = outreach_a_api.post(SYNC, {"items": [item]}, format="json").json()
    item["supplies"][0]["quantity"] = 5
    fixed = outreach_a_api.post(SYNC, {"items": [item]}, format="json").json()

    assert rejected["results"][0]["status"] == "rejected"
    assert fixed["results"][0]["status"] == "created"
    assert on_hand(site_a, stock_a["naloxone"]) == 0


def test_field_errors_name_the_field_and_the_line(outreach_a_api, site_a, stock_a, site_b):
    items = [
        {"id": "not-a-uuid", "location": site_a.pk},
        queued(site_b),
        queued(site_a, supplies=[(stock_a["syringes"], 1)]) | {"supplies": [{"item": 999_999}]},
        queued(site_a) | {"participant": "HR-ZZZZZ"},
        {"id": str(uuid.uuid4()), "location": site_a.pk, "kind": "fixed_site", "participant": None},
    ]

    results = outreach_a_api.post(SYNC, {"items": items}, format="json").json()["results"]

    assert all(r["status"] == "rejected" for r in results)
    assert results[0]["id"] == "not-a-uuid"
    assert set(results[0]["errors"]) >= {"id", "occurred_at", "kind"}
    assert results[1]["errors"] == {"location": ["No such location among those you work at."]}
    assert set(results[2]["errors"]) == {"supplies.0.item", "supplies.0.quantity"}
    assert results[3]["errors"] == {"participant": ["No participant HR-ZZZZZ in your program."]}
    assert results[4]["errors"] == {"occurred_at": ["This field is required."]}
    assert Encounter.objects.count() == 0


def test_a_new_participant_is_enrolled_at_sync_and_gets_a_public_id(
    outreach_a_api, site_a, stock_a, code_answers
):
    first = queued(site_a, new_participant={"answers": code_answers, "profile": {"alias": "Moss"}})
    second = queued(site_a, new_participant={"answers": code_answers})

    results = outreach_a_api.post(SYNC, {"items": [first, second]}, format="json").json()["results"]

    participant = Participant.objects.get()
    assert participant.alias == "Moss"
    assert results[0]["participant_public_id"] == participant.public_id
    assert results[0]["participant_enrolled"] is True
    # The same answers again: the same person, no duplicate.
    assert results[1]["participant_public_id"] == participant.public_id
    assert results[1]["participant_enrolled"] is False
    assert Encounter.objects.filter(participant=participant).count() == 2


def test_a_rejected_item_enrols_nobody(outreach_a_api, site_a, stock_a, code_answers):
    item = queued(
        site_a,
        new_participant={"answers": code_answers},
        supplies=[(stock_a["naloxone"], 9)],
    )

    result = outreach_a_api.post(SYNC, {"items": [item]}, format="json").json()["results"][0]

    assert result["status"] == "rejected"
    assert result["participant_public_id"] is None
    assert not Participant.objects.exists()


def test_bad_code_answers_are_named_by_question(outreach_a_api, site_a, code_answers):
    item = queued(site_a, new_participant={"answers": code_answers | {"birth_month": "13"}})

    result = outreach_a_api.post(SYNC, {"items": [item]}, format="json").json()["results"][0]

    assert result["status"] == "rejected"
    assert list(result["errors"]) == ["new_participant.answers.birth_month"]


def test_the_same_id_twice_in_one_batch_is_stored_once(outreach_a_api, site_a, stock_a):
    item = queued(site_a, supplies=[(stock_a["syringes"], 7)])

    results = outreach_a_api.post(SYNC, {"items": [item, item]}, format="json").json()["results"]

    assert [r["status"] for r in results] == ["created", "exists"]
    assert on_hand(site_a, stock_a["syringes"]) == 993


def test_yesterday_queued_offline_is_accepted_without_back_entry_permission(outreach_a_api, site_a):
    item = queued(site_a) | {"occurred_at": (timezone.now() - timedelta(days=2)).isoformat()}
    long_ago = queued(site_a) | {"occurred_at": (timezone.now() - timedelta(days=9)).isoformat()}

    results = outreach_a_api.post(SYNC, {"items": [item, long_ago]}, format="json").json()[
        "results"
    ]

    assert results[0]["status"] == "created"
    assert results[1]["status"] == "rejected"
    assert list(results[1]["errors"]) == ["occurred_at"]


def test_another_programs_encounter_id_is_rejected_not_revealed(
    outreach_b_api, outreach_a_api, site_a, site_b
):
    item = queued(site_a)
    outreach_a_api.post(SYNC, {"items": [item]}, format="json")

    result = outreach_b_api.post(
        SYNC, {"items": [queued(site_b) | {"id": item["id"]}]}, format="json"
    ).json()["results"][0]

    assert result["status"] == "rejected"
    assert result["errors"] == {"id": ["This encounter id is already used."]}
    assert Encounter.objects.get(pk=item["id"]).location == site_a


@pytest.mark.parametrize(
    "body",
    [{"items": []}, {"items": "x"}, {}, {"items": [{}] * 501}],
    ids=["empty", "not a list", "missing", "501 items"],
)
def test_a_malformed_batch_is_a_400_and_stores_nothing(outreach_a_api, site_a, body):
    response = outreach_a_api.post(SYNC, body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["items"]
    assert Encounter.objects.count() == 0


def test_more_than_500_items_says_the_limit(outreach_a_api, site_a):
    response = outreach_a_api.post(SYNC, {"items": [queued(site_a)] * 501}, format="json")

    assert response.json() == {"items": ["Send at most 500 items at a time."]}


def test_500_items_are_accepted(outreach_a_api, site_a):
    batch = [queued(site_a) for _ in range(500)]

    response = outreach_a_api.post(SYNC, {"items": batch}, format="json")

    assert response.json()["counts"] == {"created": 500, "exists": 0, "rejected": 0}


def test_funders_and_anonymous_cannot_sync(funder_api, anonymous_api, site_a):
    assert funder_api.post(SYNC, {"items": [queued(site_a)]}, format="json").status_code == 403
    response = anonymous_api.post(SYNC, {"items": [queued(site_a)]}, format="json")
    assert response.status_code == 401
    assert "detail" in response.json()
    assert Encounter.objects.count() == 0


def test_items_beyond_one_chunk_each_take_their_own_stock(
    outreach_a_api, site_a, stock_a, participant_a, monkeypatch
):
    monkeypatch.setattr("api.services.SYNC_CHUNK", 2)
    naloxone, syringes = stock_a["naloxone"], stock_a["syringes"]
    batch = [
        queued(site_a, participant=participant_a, supplies=[(naloxone, 2), (syringes, 10)]),
        queued(site_a, supplies=[(syringes, 20)]),
        queued(site_a, participant=participant_a, supplies=[(naloxone, 2)]),  # 1 left
        queued(site_a, supplies=[(naloxone, 2), (syringes, 30)]),  # too many: nothing taken
        queued(site_a, supplies=[(syringes, 40)]),
    ]

    response = outreach_a_api.post(SYNC, {"items": batch}, format="json")

    statuses = [r["status"] for r in response.json()["results"]]
    assert statuses == ["created", "created", "created", "rejected", "created"]
    assert on_hand(site_a, naloxone) == 5 - 4
    assert on_hand(site_a, syringes) == 1000 - 70
    taken = StockMovement.objects.filter(kind="distributed", encounter_supply__isnull=False)
    assert sorted(-quantity for quantity in taken.values_list("quantity", flat=True)) == sorted(
        [2, 10, 20, 2, 40]
    )


def test_an_item_failing_after_its_hand_out_gives_its_stock_back_and_is_kept_for_retry(
    outreach_a_api, site_a, stock_a, monkeypatch
):
    syringes = stock_a["syringes"]
    batch = [queued(site_a, supplies=[(syringes, quantity)]) for quantity in (10, 20, 30)]
    real_record_action = encounter_services.record_action

    def failing_for_the_second(**kwargs):
        if str(kwargs["target"].pk) == batch[1]["id"]:
            raise RuntimeError("the audit log is down")
        return real_record_action(**kwargs)

    monkeypatch.setattr(encounter_services, "record_action", failing_for_the_second)

    results = outreach_a_api.post(SYNC, {"items": batch}, format="json").json()["results"]

    assert [r["status"] for r in results] == ["created", "rejected", "created"]
    assert results[1]["retry"] is True
    assert not Encounter.objects.filter(pk=batch[1]["id"]).exists()
    assert on_hand(site_a, syringes) == 1000 - 40
    assert StockMovement.objects.filter(kind="distributed").count() == 2


def test_an_item_refused_after_its_hand_out_gives_its_stock_back(
    outreach_a_api, site_a, stock_a, monkeypatch
):
    syringes = stock_a["syringes"]
    batch = [queued(site_a, supplies=[(syringes, quantity)]) for quantity in (10, 20, 30)]
    real_record_action = encounter_services.record_action

    def refusing_the_second(**kwargs):
        if str(kwargs["target"].pk) == batch[1]["id"]:
            raise encounter_services.EncounterError("Refused after the hand-out.")
        return real_record_action(**kwargs)

    monkeypatch.setattr(encounter_services, "record_action", refusing_the_second)

    results = outreach_a_api.post(SYNC, {"items": batch}, format="json").json()["results"]

    assert [r["status"] for r in results] == ["created", "rejected", "created"]
    assert not results[1]["retry"]
    assert on_hand(site_a, syringes) == 1000 - 40
    assert StockMovement.objects.filter(kind="distributed").count() == 2
