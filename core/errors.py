"""The one base of the domain errors every app's services raise."""


class DomainError(Exception):
    """An action that cannot be done as asked, with a message the person can read; `field`
    names the input at fault where there is one. Pages show it as a form error, the API as a
    400 (or 409 for stock) with `{field: [message]}`."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
