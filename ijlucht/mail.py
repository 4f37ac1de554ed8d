"""Sending mail: one plain-text message at a time through the SMTP server in the settings (IJLUCHT_SMTP_*):
a relay on the host (such as Postfix), which takes care of onward delivery, TLS and authentication.

Shared by everything that writes to people (API key and sign-up confirmations, silent kits, alerts). Blocking:
async callers run it in a thread. Every failure becomes MailNotSent with a reason a person can act on; the
message is never logged (it may carry a confirmation link).
"""

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from ijlucht.settings import PlatformSettings


class MailNotSent(Exception):
    """The SMTP server could not be reached or refused the message."""


def compose(
    settings: PlatformSettings, to: str, subject: str, body: str, headers: dict[str, str] | None = None
) -> EmailMessage:
    """The message; `headers` adds more (List-Unsubscribe of alerts, RFC 8058)."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="ijlucht.invalid")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message


def send_mail(
    settings: PlatformSettings, to: str, subject: str, body: str, headers: dict[str, str] | None = None
) -> None:
    """Hand one message to the SMTP server; MailNotSent if it is not accepted for delivery."""
    message = compose(settings, to, subject, body, headers)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_s) as smtp:
            refused = smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        where = f"{settings.smtp_host}:{settings.smtp_port}"
        raise MailNotSent(f"the mail server at {where} did not take the message ({type(exc).__name__})") from exc
    if refused:
        raise MailNotSent(f"the mail server refused the address {to!r}")
