from tests.participants.conftest import catalogue_a, code_answers  # noqa: F401
