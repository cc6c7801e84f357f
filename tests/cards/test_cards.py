"""Participant cards: the printed card, the public check page, replacing and withdrawing."""

import re
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEntry
from cards import services
from cards.models import CardVerification, ParticipantCard
from participants import retention
from security.ratelimit import CacheOutages, fallback_counts
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(content)).pages]


def printed(client, user, participant) -> bytes:
    client.force_login(user)
    response = client.post(reverse("cards:print", args=[participant.public_id]), follow=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


def words(text: str) -> str:
    """PDF text with its line breaks undone, to look for a sentence that was wrapped."""
    return re.sub(r"\s+", " ", text)


# --- The printed card ---------------------------------------------------------------------------


def test_the_card_pdf_holds_the_public_id_and_legal_text_in_english_and_spanish(
    client, outreach_a, participant_a, card_settings_a
):
    pages = pdf_pages(printed(client, outreach_a, participant_a))
    card = ParticipantCard.objects.get(participant=participant_a)

    assert len(pages) == 4  # English front and back, Spanish front and back
    english, spanish = words(" ".join(pages[:2])), words(" ".join(pages[2:]))
    for side in (english, spanish):
        assert participant_a.public_id in side
        assert "Program A" in side
        assert "(505) 555-0100" in side
        assert card.display_code in side
    assert "Harm Reduction Act" in english
    assert "Issued" in english
    assert "Ley de Reducción de Daños" in spanish
    assert "Emitida" in spanish


def test_the_card_pdf_holds_nothing_from_the_participants_profile(
    client, outreach_a, participant_a, card_settings_a
):
    text = words(" ".join(pdf_pages(printed(client, outreach_a, participant_a))))

    for secret in ["Moonbeam", "1983", "871", "Trans", "trans", "xylazine", "Xylazine"]:
        assert secret not in text


def test_printing_again_prints_the_same_card_and_writes_an_audited_read(
    client, outreach_a, participant_a, card_settings_a
):
    printed(client, outreach_a, participant_a)
    printed(client, outreach_a, participant_a)

    assert ParticipantCard.objects.filter(participant=participant_a).count() == 1
    assert AuditEntry.objects.filter(action="cards.card.issued").count() == 1
    assert AuditEntry.objects.filter(action="cards.card.printed").count() == 2


def test_staff_of_another_program_cannot_print_or_download_the_card(
    client, outreach_b, participant_a, card_a
):
    client.force_login(outreach_b)

    assert client.post(reverse("cards:print", args=[participant_a.public_id])).status_code == 404
    assert client.get(reverse("cards:pdf", args=[card_a.pk])).status_code == 404


def test_a_revoked_card_can_no_longer_be_downloaded(client, outreach_a, card_a):
    services.revoke_card(by=outreach_a, card=card_a, because="lost")
    client.force_login(outreach_a)

    assert client.get(reverse("cards:pdf", args=[card_a.pk])).status_code == 404


# --- The public check page ------------------------------------------------------------------------


def check(client, token: str):
    return client.get(reverse("cards:verify", args=[token]))


def test_a_valid_card_is_valid_in_english_and_spanish_with_program_and_date(client, card_a):
    response = check(client, card_a.token)

    assert response.status_code == 200
    page = words(response.text)
    assert 'data-card-check="valid"' in page
    assert "Valid participant card of Program A, issued" in page
    assert "Tarjeta de participante válida de Program A, emitida" in page
    assert "Harm Reduction Act" in page
    assert "Ley de Reducción de Daños" in page
    assert response["X-Robots-Tag"].startswith("noindex")


def test_the_check_page_shows_nothing_about_the_participant(client, card_a, participant_a):
    page = check(client, card_a.token).text

    for secret in [participant_a.public_id, "Moonbeam", "1983", "871", "xylazine", "Trans"]:
        assert secret not in page


def test_a_replaced_card_is_not_valid_and_its_replacement_is(client, outreach_a, card_a):
    new_card = services.reissue_card(by=outreach_a, participant=card_a.participant)

    old = check(client, card_a.token)
    assert old.status_code == 404
    assert 'data-card-check="not-valid"' in old.text
    assert "Program A" not in old.text
    assert "No es válida" in old.text
    assert check(client, new_card.token).status_code == 200
    card_a.refresh_from_db()
    assert card_a.revoked_because == ParticipantCard.RevokedBecause.LOST


def test_an_unknown_token_is_not_valid_and_counts_nowhere(client, card_a):
    response = check(client, "x" * 32)

    assert response.status_code == 404
    assert 'data-card-check="not-valid"' in response.text
    assert not CardVerification.objects.exists()


def test_a_revoked_card_looks_exactly_like_an_unknown_one(client, outreach_a, card_a):
    services.revoke_card(by=outreach_a, card=card_a, because="withdrawn")

    revoked, unknown = check(client, card_a.token), check(client, "y" * 32)

    assert revoked.status_code == unknown.status_code == 404
    # Alike but for the CSRF tokens and the address itself (in the language switch).
    csrf = re.compile(r"[A-Za-z0-9]{64}")
    revoked_page = csrf.sub("", revoked.text).replace(card_a.token, "TOKEN")
    unknown_page = csrf.sub("", unknown.text).replace("y" * 32, "TOKEN")
    assert revoked_page == unknown_page


def test_the_card_of_a_participant_who_was_forgotten_is_not_valid(client, manager_a, card_a):
    retention.delete_participant_on_request(by=manager_a, participant=card_a.participant)

    assert check(client, card_a.token).status_code == 404


def test_the_check_code_typed_in_any_form_finds_the_card(client, card_a):
    typed = card_a.display_code.lower().replace("-", " ")

    response = client.get(reverse("cards:check"), {"code": typed})

    assert 'data-card-check="valid"' in response.text


def test_a_malformed_check_code_gets_a_message_not_an_answer(client, card_a):
    response = client.get(reverse("cards:check"), {"code": "12"})

    assert response.status_code == 200
    assert "A check code has 10 letters and digits" in response.text
    assert "data-card-check" not in response.text


def test_a_check_is_counted_and_audited_without_who_checked(client, card_a, outreach_a):
    check(client, card_a.token)
    client.force_login(outreach_a)
    check(client, card_a.token)

    assert CardVerification.objects.filter(program=card_a.program, valid=True).count() == 2
    entries = AuditEntry.objects.filter(action="cards.card.verified")
    assert entries.count() == 2
    for entry in entries:
        assert entry.actor is None
        assert entry.ip_address is None
        assert entry.object_id == ""
        assert entry.program == card_a.program
        assert entry.details == {"valid": True}


def test_the_check_page_is_rate_limited(client, card_a, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "card-check": (3, 600)}

    statuses = [check(client, card_a.token).status_code for _ in range(4)]
    typed = client.get(reverse("cards:check"), {"code": card_a.display_code})

    assert statuses == [200, 200, 200, 429]
    assert typed.status_code == 429
    assert CardVerification.objects.count() == 3


@pytest.mark.parametrize(
    "damaged",
    [
        "HR-7K2P-QX",
        "a" * 300,
        "ñandú-ñandú-ñandú",
        "' OR 1=1 --",
        "x\u202eevil" * 4,
        "%00" * 20,
    ],
)
def test_a_damaged_address_gets_the_pages_own_not_valid_in_both_languages(client, card_a, damaged):
    response = client.get(f"/cards/{damaged}/")

    assert response.status_code in {400, 404}
    if response.status_code == 404:
        assert 'data-card-check="not-valid"' in response.text
        assert "Not valid" in response.text and "No es válida" in response.text
    assert not CardVerification.objects.exists()


def test_a_link_preview_asking_head_gets_an_answer_not_an_error(client, card_a):
    assert client.head(reverse("cards:verify", args=[card_a.token])).status_code == 200
    assert client.post(reverse("cards:verify", args=[card_a.token])).status_code == 405


@pytest.fixture
def cache_down(settings):
    """The cache at a port nothing listens on; its outage is forgotten after the test, so
    the next test on this worker asks its (working) cache again."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    fallback_counts.clear()
    yield
    CacheOutages.last_at = None
    fallback_counts.clear()


def test_the_check_page_stays_limited_while_the_cache_is_down(client, card_a, settings, cache_down):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "card-check": (3, 600)}

    statuses = [check(client, card_a.token).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


# --- Tokens ---------------------------------------------------------------------------------


def test_tokens_and_check_codes_are_random_not_derived_from_the_public_id(outreach_a, program_a):
    participants = [ParticipantFactory(program=program_a) for _ in range(5)]
    cards = [services.issue_card(by=outreach_a, participant=p) for p in participants]
    again = services.reissue_card(by=outreach_a, participant=participants[0])

    tokens = {card.token for card in cards} | {again.token}
    codes = {card.short_code for card in cards} | {again.short_code}
    assert len(tokens) == len(codes) == 6  # the same participant gets a new, unrelated token
    for participant, card in zip(participants, cards, strict=True):
        compact = participant.public_id.removeprefix("HR-")
        assert compact not in card.token
        assert compact not in card.short_code
        assert len(card.token) >= 32  # 192 random bits
    assert len(cards[0].short_code) == services.SHORT_CODE_LENGTH


def test_the_public_id_does_not_open_a_card(client, card_a, participant_a):
    assert client.get(f"/cards/{participant_a.public_id}/").status_code == 404
    response = client.get(reverse("cards:check"), {"code": participant_a.public_id})
    assert 'data-card-check="valid"' not in response.text


# --- Issue, replace, withdraw ---------------------------------------------------------------


def test_a_second_first_card_is_refused_with_a_message(outreach_a, card_a):
    with pytest.raises(services.CardError, match="already has a valid card"):
        services.issue_card(by=outreach_a, participant=card_a.participant)


def test_staff_of_another_program_cannot_issue_a_card(outreach_b, participant_a):
    with pytest.raises(services.CardError):
        services.issue_card(by=outreach_b, participant=participant_a)


def test_withdrawing_from_the_page_makes_the_card_not_valid(client, outreach_a, card_a):
    client.force_login(outreach_a)

    response = client.post(
        reverse("cards:revoke", args=[card_a.participant.public_id]), {"because": "lost"}
    )

    assert response.status_code == 302
    card_a.refresh_from_db()
    assert not card_a.is_active
    assert AuditEntry.objects.filter(action="cards.card.revoked").count() == 1


def test_withdrawing_with_a_made_up_reason_is_refused_with_a_message(client, outreach_a, card_a):
    client.force_login(outreach_a)

    response = client.post(
        reverse("cards:revoke", args=[card_a.participant.public_id]),
        {"because": "bored"},
        follow=True,
    )

    assert "Choose why the card is withdrawn." in response.text
    card_a.refresh_from_db()
    assert card_a.is_active


def test_the_participant_page_offers_the_card(client, outreach_a, card_a):
    client.force_login(outreach_a)

    page = client.get(reverse("participants:detail", args=[card_a.participant.public_id])).text

    assert "data-participant-card" in page
    assert card_a.display_code in page


def test_an_unreviewed_legal_text_is_flagged_to_staff(client, manager_a, card_a):
    services.update_card_settings(
        by=manager_a,
        phone="",
        legal_text_en="Template",
        legal_text_es="Plantilla",
        legal_text_reviewed=False,
    )
    client.force_login(manager_a)

    page = client.get(reverse("participants:detail", args=[card_a.participant.public_id])).text

    assert "has not been marked as reviewed" in page


def test_a_manager_sets_the_card_text_and_outreach_staff_may_not(client, manager_a, outreach_a):
    client.force_login(outreach_a)
    assert client.get(reverse("cards:settings")).status_code == 403

    client.force_login(manager_a)
    response = client.post(
        reverse("cards:settings"),
        {
            "phone": "555",
            "legal_text_en": "Law",
            "legal_text_es": "Ley",
            "legal_text_reviewed": "on",
        },
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="cards.settings.changed")
    assert entry.details["changed"] == [
        "legal_text_en",
        "legal_text_es",
        "legal_text_reviewed",
        "phone",
    ]


def test_a_legal_text_too_long_for_the_card_gets_a_form_error(client, manager_a):
    client.force_login(manager_a)

    response = client.post(
        reverse("cards:settings"), {"phone": "", "legal_text_en": "x" * 901, "legal_text_es": ""}
    )

    assert response.status_code == 200
    assert "Ensure this value has at most 900 characters" in response.text


def test_the_encounter_screen_offers_the_card_right_after_enrolment(client, outreach_a):
    client.force_login(outreach_a)
    answers = {
        "code-mother_first_name": "Rosalind",
        "code-birth_month": "02",
        "code-birth_year": "1979",
        "code-birth_place": "Oaxaca",
        "code-gender": "M",
    }

    response = client.post(reverse("participants:enroll"), answers, follow=True)

    assert "data-print-card" in response.text
