"""What every endpoint of the API does before its own work."""

from django.utils import translation


class ApiViewMixin:
    """Speak the user's language in messages, also to token clients (no session middleware)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        language = getattr(request.user, "language", "")
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
