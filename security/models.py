"""What the security app keeps in the database: the code guesses each person made."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CodeGuessWindow(models.Model):
    """How many times one person asked whether a participant code exists, in one hour: the
    counter behind security.code_guesses. In the database, not the cache, so the budget holds
    while Redis is down."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    window_start = models.DateTimeField(_("hour starting"))
    guesses = models.PositiveIntegerField(_("code guesses"), default=0)
    refused = models.PositiveIntegerField(_("guesses refused"), default=0)

    class Meta:
        verbose_name = _("code guesses of an hour")
        verbose_name_plural = _("code guesses by hour")
        constraints = [
            models.UniqueConstraint(fields=["user", "window_start"], name="codeguesswindow_unique"),
        ]
        indexes = [
            # The managers' list: who was refused lately.
            models.Index(
                fields=["window_start"],
                condition=models.Q(refused__gt=0),
                name="codeguesswindow_refused",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.window_start:%Y-%m-%d %H:00}: {self.guesses}"
