from accounts.models import User


def set_user_language(*, user: User, language: str) -> None:
    """Remember the language a signed-in user chose for every page they open."""
    user.language = language
    user.save(update_fields=["language"])
