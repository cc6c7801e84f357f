"""The encounter tests share the catalogue and code answers of the participant tests."""

from tests.participants.conftest import catalogue_a, code_answers  # noqa: F401
