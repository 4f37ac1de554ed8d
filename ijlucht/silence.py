"""Mail a kit's owner when the kit has been silent for a set time (once), and again when it is heard from.

Run every few minutes by the ingest worker (ingest/worker.py silence_loop). A kit counts as silent when nothing
came from it (or, never heard from, since registration) for `silent_after_s`; the mail is recorded only once the
mail server took it, so a failed mail is tried again at the next check. Only kits with an owner address, not
disabled, take part."""

import logging

import psycopg

from ijlucht import mail
from ijlucht.settings import PlatformSettings

log = logging.getLogger("ijlucht.silence")

GONE_SILENT = """
SELECT kit_id, name, owner_email, last_seen FROM kits
WHERE owner_email IS NOT NULL AND disabled_at IS NULL AND silence_mailed_at IS NULL
  AND coalesce(last_seen, created_at) < now() - make_interval(secs => %s)
"""
HEARD_AGAIN = """
SELECT kit_id, name, owner_email, last_seen FROM kits
WHERE owner_email IS NOT NULL AND silence_mailed_at IS NOT NULL AND last_seen > silence_mailed_at
"""
MARK_SILENT = "UPDATE kits SET silence_mailed_at = now() WHERE kit_id = %s"
MARK_BACK = "UPDATE kits SET silence_mailed_at = NULL WHERE kit_id = %s"

SILENT_TEXT = """Hello,

Your IJlucht kit "{kit_id}" ({name}) has sent nothing since {since}.

Is it powered, and does its Wi-Fi still work? The owner page (the link with your owner token) shows what it last
reported. We mail you again when it is back.
"""
BACK_TEXT = """Hello,

Your IJlucht kit "{kit_id}" ({name}) is sending again (last heard {since}). Thank you!
"""


def _when(last_seen) -> str:
    return "it was registered" if last_seen is None else f"{last_seen:%Y-%m-%d %H:%M} UTC"


def check_silent_kits(conn: psycopg.Connection, settings: PlatformSettings, silent_after_s: float) -> tuple[int, int]:
    """Send the due mails; returns (silent mails, back mails) sent."""
    sent = [0, 0]
    for which, (query, params, subject, text, mark) in enumerate(
        (
            (GONE_SILENT, (silent_after_s,), "is silent", SILENT_TEXT, MARK_SILENT),
            (HEARD_AGAIN, (), "is back", BACK_TEXT, MARK_BACK),
        )
    ):
        for kit_id, name, email, last_seen in conn.execute(query, params).fetchall():
            body = text.format(kit_id=kit_id, name=name, since=_when(last_seen))
            try:
                mail.send_mail(settings, email, f"Your IJlucht kit {kit_id} {subject}", body)
            except mail.MailNotSent as exc:
                log.warning("silence mail for kit %s not sent (%s); trying again at the next check", kit_id, exc)
                continue
            conn.execute(mark, (kit_id,))
            sent[which] += 1
    return sent[0], sent[1]
