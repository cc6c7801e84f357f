from django.db import transaction

from accounts.models import User
from audit.services import record_action


@transaction.atomic
def set_user_language(*, user: User, language: str) -> None:
    """Remember the language a signed-in user chose for every page they open."""
    user.language = language
    user.save(update_fields=["language"])
    record_action(
        actor=user,
        action="accounts.user.language_changed",
        target=user,
        details={"language": language},
    )
