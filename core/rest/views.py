"""What every endpoint of the API does before its own work."""

from django.utils import timezone, translation


class ApiViewMixin:
    """Speak the user's language in messages and work in their program's time zone (times are
    answered with its offset), also for token clients, whom no middleware has identified."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        language = getattr(request.user, "language", "")
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        program = getattr(request.user, "program", None)
        if program is not None:
            timezone.activate(program.tzinfo)
