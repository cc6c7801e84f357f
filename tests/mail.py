"""A test mail server that refuses chosen recipients, like an SMTP server having a bad day."""

from smtplib import SMTPServerDisconnected
from typing import ClassVar

from django.core.mail.backends import locmem


class RefusingEmailBackend(locmem.EmailBackend):
    """The locmem backend (mail lands in `mail.outbox`), but the next `times` messages to an
    address in `refusals` fail with an SMTP error and are not delivered."""

    refusals: ClassVar[dict[str, int]] = {}

    def send_messages(self, messages):
        for message in messages:
            for address in message.recipients():
                if self.refusals.get(address, 0) > 0:
                    self.refusals[address] -= 1
                    raise SMTPServerDisconnected(f"Connection unexpectedly closed ({address})")
        return super().send_messages(messages)


class LaterStepFailed(Exception):
    """Something later in the same transaction failed, so the transaction rolls back."""
