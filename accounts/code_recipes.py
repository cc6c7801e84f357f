"""Participant code recipes: which answers, known only to the participant, make their code.

A program's recipe says which answers make the code and how many characters each gives; the
questions themselves are defined here. The code is derived each visit and only a keyed hash of
it is stored (participants.codes).
"""

import string
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables


@dataclass(frozen=True)
class Question:
    label: str
    kind: str  # "text", "month", "year" or "choice"
    help_text: str = ""
    choices: tuple[tuple[str, str], ...] = ()


GENDER_LETTERS = (
    ("F", _("Woman")),
    ("M", _("Man")),
    ("T", _("Trans woman or trans man")),
    ("N", _("Non-binary")),
    ("X", _("Another gender, or prefers not to say")),
)

QUESTIONS: dict[str, Question] = {
    "mother_first_name": Question(
        _("Mother's first name"), "text", _("As the participant says it.")
    ),
    "birth_month": Question(_("Birth month"), "month"),
    "birth_year": Question(_("Birth year"), "year"),
    "birth_place": Question(_("Place of birth (town or country)"), "text"),
    "gender": Question(_("Gender"), "choice", choices=GENDER_LETTERS),
    "chosen_letters": Question(
        _("Letters the participant chose"), "text", _("The same letters every visit.")
    ),
}

# Each step takes the first (or last) characters of one normalised answer.
DEFAULT_RECIPE = (
    {"question": "mother_first_name", "first": 2},
    {"question": "birth_month", "first": 2},
    {"question": "birth_year", "last": 2},
    {"question": "birth_place", "first": 1},
    {"question": "gender", "first": 1},
)
CHOSEN_LETTERS_RECIPE = (
    {"question": "chosen_letters", "first": 4},
    {"question": "birth_year", "last": 4},
    {"question": "gender", "first": 1},
)

CODE_ALPHABET = string.ascii_uppercase + string.digits


def normalise(answer: str) -> str:
    """Upper case, accents removed, only letters and digits: 'José María' -> 'JOSEMARIA'."""
    decomposed = unicodedata.normalize("NFKD", str(answer))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in plain.upper() if ch in CODE_ALPHABET)


def recipe_questions(recipe: list[dict]) -> list[str]:
    """The questions a recipe asks, in order, each once."""
    seen: list[str] = []
    for step in recipe:
        if step["question"] not in seen:
            seen.append(step["question"])
    return seen


def validate_recipe(recipe: object) -> None:
    if not isinstance(recipe, list) or not recipe:
        raise ValidationError(_("A code recipe is a non-empty list of steps."))
    for step in recipe:
        if not isinstance(step, dict) or step.get("question") not in QUESTIONS:
            raise ValidationError(_("Each step names one of the known questions."))
        takes = [key for key in ("first", "last") if key in step]
        if len(takes) != 1 or not isinstance(step[takes[0]], int) or step[takes[0]] < 1:
            raise ValidationError(
                _("Each step takes a positive number of first or last characters.")
            )


@sensitive_variables()
def derive_code(recipe: list[dict], answers: dict[str, str]) -> str:
    """Build the code from the answers; a too-short answer is a ValidationError on its field."""
    parts = []
    for step in recipe:
        question = step["question"]
        value = normalise(answers.get(question, ""))
        wanted = step.get("first") or step.get("last")
        if len(value) < wanted:
            raise ValidationError(
                {question: _("Give at least %(count)d letters or digits.") % {"count": wanted}}
            )
        parts.append(value[:wanted] if "first" in step else value[-wanted:])
    return "".join(parts)
