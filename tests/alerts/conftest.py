"""Fixtures of the alert service's tests: a real SMTP server (aiosmtpd) and a local webhook server that answers,
fails or hangs by path, both on free ports, and settings that point the service at them."""

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from alerts.settings import AlertSettings
from tests.conftest import free_port
from tests.mailbox import Inbox


@pytest.fixture(scope="session")
def inbox() -> Iterator[tuple[Inbox, int]]:
    from aiosmtpd.controller import Controller

    box, port = Inbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


class Hooks:
    """What the webhook server received, per path: (headers, body bytes, time received)."""

    def __init__(self) -> None:
        self.received: dict[str, list[tuple[dict, bytes, float]]] = {}
        self.release = threading.Event()  # /slow answers only when this is set (or after 30 s)

    def bodies(self, path: str) -> list[dict]:
        return [json.loads(b) for _, b, _ in self.received.get(path, [])]


@pytest.fixture(scope="session")
def hooks() -> Iterator[tuple[Hooks, str]]:
    seen = Hooks()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            seen.received.setdefault(self.path, []).append((dict(self.headers), body, time.monotonic()))
            if self.path.startswith("/slow"):
                seen.release.wait(30)
            status = 500 if self.path.startswith("/fail") else 204
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield seen, f"http://127.0.0.1:{server.server_address[1]}"
    seen.release.set()
    server.shutdown()


@pytest.fixture(scope="session")
def alert_settings(settings, inbox) -> AlertSettings:
    """The service's settings for tests: mail to the local SMTP server, webhooks to loopback allowed, fast retries."""
    return AlertSettings(
        smtp_port=inbox[1],
        alerts_webhook_allow_networks=("127.0.0.0/8",),
        alerts_webhook_timeout_s=1.5,
        alerts_backoff_s=0.0,
        alerts_max_attempts=3,
        alerts_catchup_h=40 * 24,
        alerts_deliver_within_h=100_000,
        public_url="https://ijlucht.test",
    )
