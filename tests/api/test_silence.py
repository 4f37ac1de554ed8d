"""Owners are mailed (through a real local SMTP server) once when their kit has been silent for a set time, and
once when it is heard again; the ingest worker runs the check."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

from ijlucht import silence
from ijlucht.settings import PlatformSettings
from tests.conftest import wait_for


def owned(make_kit, conn, last_seen: datetime | None) -> tuple[str, str]:
    email = f"owner-{uuid.uuid4().hex[:8]}@example.org"
    kit_id, _ = make_kit("quiet", owner_email=email, created_at=datetime.now(UTC) - timedelta(days=2))
    conn.execute("UPDATE kits SET last_seen = %s WHERE kit_id = %s", (last_seen, kit_id))
    return kit_id, email


def test_a_silent_kit_is_mailed_once_and_again_when_it_is_back(settings, conn, make_kit, smtp_server):
    kit_id, email = owned(make_kit, conn, datetime.now(UTC) - timedelta(hours=7))
    _fresh_id, fresh_email = owned(make_kit, conn, datetime.now(UTC) - timedelta(minutes=5))
    silence.check_silent_kits(conn, settings, 6 * 3600)
    silence.check_silent_kits(conn, settings, 6 * 3600)  # still silent: no second mail
    [message] = smtp_server.to(email)
    assert message["Subject"] == f"Your IJlucht kit {kit_id} is silent"
    assert smtp_server.to(fresh_email) == []
    conn.execute("UPDATE kits SET last_seen = now() WHERE kit_id = %s", (kit_id,))
    silence.check_silent_kits(conn, settings, 6 * 3600)
    _silent, back = smtp_server.to(email)
    assert back["Subject"] == f"Your IJlucht kit {kit_id} is back"
    assert "sending again" in back.get_payload(decode=True).decode()
    assert conn.execute("SELECT silence_mailed_at FROM kits WHERE kit_id = %s", (kit_id,)).fetchone() == (None,)


def test_a_mail_the_server_did_not_take_is_tried_again(settings, conn, make_kit, smtp_server):
    _kit_id, email = owned(make_kit, conn, None)  # never heard from since registration, two days ago
    assert silence.check_silent_kits(conn, PlatformSettings(smtp_port=9), 3600) == (0, 0)
    assert silence.check_silent_kits(conn, settings, 3600)[0] >= 1
    [message] = smtp_server.to(email)
    assert "since it was registered" in message.get_payload(decode=True).decode()


def test_the_ingest_worker_runs_the_check(conn, make_kit, smtp_server):
    from ingest.settings import IngestSettings
    from ingest.worker import IngestWorker

    _kit_id, email = owned(make_kit, conn, datetime.now(UTC) - timedelta(hours=2))
    worker = IngestWorker(IngestSettings(ingest_silence_check_s=0.1, ingest_silent_after_s=3600))
    loop = threading.Thread(target=worker.silence_loop, daemon=True)
    loop.start()
    try:
        wait_for(lambda: smtp_server.to(email), what="silence mail")
    finally:
        worker.stopping.set()
        loop.join(10)
    assert smtp_server.to(email)[0]["Subject"].endswith("is silent")
