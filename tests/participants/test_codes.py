import pytest
from django.db import connection
from django.urls import reverse

from accounts import code_recipes
from participants import codes
from participants.forms import CodeAnswersForm
from participants.models import Participant
from tests.participants.conftest import CODE_OF_ANSWERS

pytestmark = pytest.mark.django_db

DEFAULT = list(code_recipes.DEFAULT_RECIPE)


def derive(**answers):
    form = CodeAnswersForm(
        {f"code-{key}": value for key, value in answers.items()}, recipe=DEFAULT, prefix="code"
    )
    assert form.is_valid(), form.errors
    return form.cleaned_data["code"]


ANSWERS = {
    "mother_first_name": "María",
    "birth_month": "03",
    "birth_year": "1985",
    "birth_place": "Tucson",
    "gender": "F",
}


def test_default_recipe_builds_the_code_from_the_answers():
    assert derive(**ANSWERS) == CODE_OF_ANSWERS


def test_case_accents_and_spaces_do_not_change_the_code():
    assert derive(**{**ANSWERS, "mother_first_name": " maria ", "birth_place": "tucson"}) == (
        derive(**ANSWERS)
    )


def test_different_answers_give_a_different_code():
    assert derive(**{**ANSWERS, "birth_month": "04"}) != derive(**ANSWERS)


def test_too_short_answer_is_an_error_on_that_question():
    form = CodeAnswersForm(
        {"code-" + key: value for key, value in {**ANSWERS, "mother_first_name": "J"}.items()},
        recipe=DEFAULT,
        prefix="code",
    )

    assert not form.is_valid()
    assert "at least 2" in form.errors["mother_first_name"][0]


def test_recipe_is_configuration_of_the_program():
    recipe = list(code_recipes.CHOSEN_LETTERS_RECIPE)
    form = CodeAnswersForm(
        {"code-chosen_letters": "wxyz", "code-birth_year": "1990", "code-gender": "N"},
        recipe=recipe,
        prefix="code",
    )

    assert list(form.fields) == ["chosen_letters", "birth_year", "gender"]
    assert form.is_valid(), form.errors
    assert form.cleaned_data["code"] == "WXYZ1990N"


def test_hash_depends_on_the_program():
    assert codes.code_hash(1, CODE_OF_ANSWERS) != codes.code_hash(2, CODE_OF_ANSWERS)


def test_same_answers_find_the_same_participant(client, outreach_a, code_answers):
    client.force_login(outreach_a)

    client.post(reverse("participants:enroll"), code_answers)
    client.post(reverse("participants:enroll"), code_answers)

    assert Participant.objects.count() == 1


def test_different_answers_enrol_a_different_participant(client, outreach_a, code_answers):
    client.force_login(outreach_a)

    client.post(reverse("participants:enroll"), code_answers)
    client.post(reverse("participants:enroll"), {**code_answers, "code-birth_month": "04"})

    assert Participant.objects.count() == 2


def test_only_the_keyed_hash_is_stored(client, outreach_a, code_answers):
    client.force_login(outreach_a)

    client.post(reverse("participants:enroll"), {**code_answers, "alias": "Sunny"})

    raw_values = {"María", "Maria", "MARIA", "Tucson", "TUCSON", CODE_OF_ANSWERS}
    participant = Participant.objects.get()
    assert participant.code_hash == codes.code_hash(outreach_a.program_id, CODE_OF_ANSWERS)
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from introspection
            for row in cursor.fetchall():
                stored = " ".join(str(value) for value in row)
                assert not any(raw in stored for raw in raw_values), table


def test_code_questions_find_an_enrolled_participant(client, outreach_a, code_answers):
    client.force_login(outreach_a)
    client.post(reverse("participants:enroll"), code_answers)
    participant = Participant.objects.get()

    response = client.post(reverse("encounters:find_by_code"), code_answers)

    assert f'value="{participant.public_id}"' in response.text
    assert response["HX-Retarget"] == "#participant-slot"


def test_unknown_answers_offer_enrolment_and_enrol_on_request(client, outreach_a, code_answers):
    client.force_login(outreach_a)

    offer = client.post(reverse("encounters:find_by_code"), code_answers)
    assert "No participant has these answers yet" in offer.text
    assert not Participant.objects.exists()

    enrolled = client.post(reverse("encounters:find_by_code"), {**code_answers, "enroll": "1"})

    participant = Participant.objects.get()
    assert f'value="{participant.public_id}"' in enrolled.text


def test_code_questions_of_another_program_find_nobody(
    client, outreach_a, outreach_b, code_answers
):
    client.force_login(outreach_b)
    client.post(reverse("participants:enroll"), code_answers)
    client.force_login(outreach_a)

    response = client.post(reverse("encounters:find_by_code"), code_answers)

    assert "No participant has these answers yet" in response.text
