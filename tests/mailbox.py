"""A real SMTP server's inbox for tests (aiosmtpd calls `handle_DATA`): what it received, oldest first."""

import email
from email.message import Message


class Inbox:
    """What the SMTP server received: (envelope recipients, parsed message), oldest first."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for rcpt, m in self.messages if address in rcpt]
