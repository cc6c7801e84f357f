"""A test mail server that refuses chosen recipients, like an SMTP server having a bad day."""

from smtplib import SMTPRecipientsRefused, SMTPServerDisconnected
from typing import ClassVar

from django.core.mail.backends import locmem


class RefusingEmailBackend(locmem.EmailBackend):
    """The locmem backend (mail lands in `mail.outbox`), but the next `times` messages to an
    address in `refusals` fail with an SMTP error and are not delivered, and every message to
    an address in `unknown` is refused as the server refuses an address it does not know."""

    refusals: ClassVar[dict[str, int]] = {}
    unknown: ClassVar[set[str]] = set()

    def send_messages(self, messages):
        for message in messages:
            for address in message.recipients():
                if address in self.unknown:
                    raise SMTPRecipientsRefused({address: (550, b"5.1.1 No such user")})
                if self.refusals.get(address, 0) > 0:
                    self.refusals[address] -= 1
                    raise SMTPServerDisconnected(f"Connection unexpectedly closed ({address})")
        return super().send_messages(messages)


class LaterStepFailed(Exception):
    """Something later in the same transaction failed, so the transaction rolls back."""
