"""How a signed-in person is loaded on each request."""

from django.contrib.auth.backends import ModelBackend

from accounts.models import User


class UserWithProgramBackend(ModelBackend):
    """The model backend, loading the user together with their program: every request needs
    the program (its time zone, its today), so it costs no second query."""

    def get_user(self, user_id):
        user = User._default_manager.select_related("program").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
