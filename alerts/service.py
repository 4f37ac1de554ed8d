"""The alert service's loop: evaluate every alerts_interval_s, deliver what is due every alerts_deliver_interval_s,
expire unconfirmed subscriptions; /metrics on loopback when alerts_metrics_port is set. One log line per
evaluation with counts. A database that is away costs a round, never the process.

    python -m alerts [--once]
"""

import argparse
import logging
import signal
import threading
import time
from datetime import UTC, datetime

import psycopg
from prometheus_client import Counter, Gauge, start_http_server

from alerts import deliver, store
from alerts.evaluate import evaluate, whole_hour
from alerts.settings import AlertSettings

log = logging.getLogger("ijlucht.alerts")

RAISED = Counter("ijlucht_alerts_events_raised_total", "Events raised by the alert rules")
DELIVERIES = Counter(
    "ijlucht_alerts_deliveries_total", "Alert deliveries by channel and outcome", ["channel", "outcome"]
)
LAST_EVALUATION = Gauge("ijlucht_alerts_last_evaluation_timestamp_seconds", "When the rules were last evaluated")
PENDING = Gauge("ijlucht_alerts_deliveries_pending", "Deliveries waiting to be sent or retried")


def evaluate_once(conn: psycopg.Connection, settings: AlertSettings) -> None:
    store.ensure_feed_watches(conn, whole_hour(datetime.now(UTC)))
    report = evaluate(conn, settings)
    gone, orphaned = store.expire(conn)
    RAISED.inc(report.raised)
    LAST_EVALUATION.set_to_current_time()
    log.info("alerts evaluation: %d watches over %d hours, %d events raised, %d unconfirmed expired, "
             "%d watches dropped", report.watches, report.hours, report.raised, gone, orphaned)  # fmt: skip


def deliver_once(conn: psycopg.Connection, settings: AlertSettings) -> None:
    done = deliver.deliver_due(conn, settings)
    for channel in ("email", "webhook"):
        DELIVERIES.labels(channel, "sent").inc(done.sent[channel])
        DELIVERIES.labels(channel, "failed").inc(done.failed[channel])
    row = conn.execute("SELECT count(*) FROM alert_deliveries WHERE sent_at IS NULL AND given_up_at IS NULL").fetchone()
    PENDING.set(row[0] if row else 0)


def run_forever(settings: AlertSettings, stop: threading.Event) -> None:
    next_evaluation = 0.0
    while not stop.is_set():
        try:
            with psycopg.connect(settings.dsn, autocommit=True) as conn:
                while not stop.is_set():
                    if time.monotonic() >= next_evaluation:
                        evaluate_once(conn, settings)
                        next_evaluation = time.monotonic() + settings.alerts_interval_s
                    deliver_once(conn, settings)
                    stop.wait(settings.alerts_deliver_interval_s)
        except psycopg.OperationalError as exc:  # the database away: wait and try again, never exit
            log.warning("alerts round skipped, database unavailable: %s", exc)
            stop.wait(settings.alerts_deliver_interval_s)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m alerts", description=__doc__.splitlines()[0])
    parser.add_argument("--once", action="store_true", help="one evaluation and one delivery round, then exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = AlertSettings()
    if args.once:
        with psycopg.connect(settings.dsn, autocommit=True) as conn:
            evaluate_once(conn, settings)
            deliver_once(conn, settings)
        return 0
    if settings.alerts_metrics_port:
        start_http_server(settings.alerts_metrics_port, addr=settings.alerts_metrics_host)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    log.info("alert service started: evaluating every %g s, delivering every %g s",
             settings.alerts_interval_s, settings.alerts_deliver_interval_s)  # fmt: skip
    run_forever(settings, stop)
    return 0
