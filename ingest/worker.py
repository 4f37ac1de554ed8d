"""The ingest worker: MQTT in, validated batches into TimescaleDB, acknowledgements only after commit.

paho's network thread only queues messages. A preparing thread gathers them into batches and validates them; a
writing thread stores each batch in one transaction while the next one is being prepared (validation is Python
work, the insert is PostgreSQL work: on two cores they overlap). A message is acknowledged (PUBACK) after the
transaction holding it has committed, and the broker keeps unacknowledged messages in our persistent session, so a
crash or restart of the worker, broker or database loses nothing.
"""

import logging
import queue
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass

import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from ijlucht import contract
from ijlucht.quality import BACKFILLED
from ingest import metrics
from ingest.history import KitHistory
from ingest.rollups import refresh_rollups
from ingest.settings import IngestSettings
from ingest.store import Batch, RejectRecord, StoreResult, disabled_kits, kit_context, store_batch
from ingest.validate import excerpt, info_uptime, parse_info, parse_readings_message, parse_status

log = logging.getLogger("ijlucht.ingest")


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs several µs, paid per message
class Incoming:
    topic: str
    payload: bytes
    mid: int
    qos: int
    retained: bool
    received: float
    generation: int  # connection the message came on: acks are only valid on that same connection


@dataclass
class Prepared:
    """A validated batch on its way to the database."""

    messages: list[Incoming]
    batch: Batch  # everything, written in one transaction
    parts: list[Batch]  # the same per message, for when the database refuses the whole batch


@dataclass
class Counters:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    batches: int = 0


class IngestWorker:
    def __init__(self, settings: IngestSettings) -> None:
        self.settings = settings
        self.inbox: queue.SimpleQueue[Incoming] = queue.SimpleQueue()  # C-implemented: cheap per message
        self.counters = Counters()
        self.lags: deque[float] = deque(maxlen=20_000)  # seconds, reading time -> commit, recent readings
        self.batch_sizes: deque[int] = deque(maxlen=1000)
        self.stopping = threading.Event()
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self._generation = 0
        self._kits: dict[str, tuple[float, KitHistory]] = {}  # kit id -> (registered, quality history)
        self._disabled: set[str] = set()
        self._disabled_read = float("-inf")  # monotonic time of the last read of the disabled kits
        self._ready: queue.Queue[Prepared] = queue.Queue(maxsize=1)  # at most one batch waits for the writer
        self._writer_done = threading.Event()
        self.client = self._make_client()

    # --- MQTT side (paho's thread) ---------------------------------------------------------------------------
    def _make_client(self) -> mqtt.Client:
        s = self.settings
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=s.ingest_client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        client.username_pw_set(s.mqtt_user, s.broker_password())
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        client.reconnect_delay_set(min_delay=1, max_delay=10)
        return client

    def _filters(self) -> list[tuple[str, int]]:
        group = self.settings.ingest_share_group
        prefix = f"$share/{group}/" if group else ""
        return [(prefix + contract.subscription(k), 1) for k in (contract.READINGS, contract.STATUS, contract.INFO)]

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.error("broker refused connection: %s", reason_code)
            return
        self._generation += 1
        client.subscribe(self._filters())
        self.connected.set()
        log.info("connected to broker (session present: %s)", flags.session_present)

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        if any(rc.is_failure for rc in reason_codes):
            log.error("subscription refused: %s", [str(rc) for rc in reason_codes])
            return
        self.subscribed.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connected.clear()
        self.subscribed.clear()
        if not self.stopping.is_set():
            log.warning("disconnected from broker: %s; reconnecting", reason_code)

    def _on_message(self, client, userdata, msg: mqtt.MQTTMessage) -> None:
        self.inbox.put(
            Incoming(msg.topic, msg.payload, msg.mid, msg.qos, bool(msg.retain), time.time(), self._generation)
        )

    def connect(self) -> None:
        s = self.settings
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = s.ingest_session_expiry_s
        # Unacked in flight: the batch being written, the one waiting for it and the one being gathered.
        props.ReceiveMaximum = min(65535, max(100, s.ingest_batch_size * 5))
        self.client.connect_async(s.mqtt_host, s.mqtt_port, keepalive=30, clean_start=False, properties=props)
        self.client.loop_start()

    # --- writer side -------------------------------------------------------------------------------------------
    def _kit(self, conn: psycopg.Connection, kit_id: str) -> tuple[float, KitHistory] | None:
        """Registration time and quality history of a kit; looked up on first sight (it may be new)."""
        if kit_id not in self._kits:
            ctx = kit_context(conn, kit_id)
            if ctx is None:
                return None
            history = KitHistory(booted_at=ctx.booted_at)
            for ts, values in ctx.recent:
                history.check(ts, values)
            self._kits[kit_id] = (ctx.registered, history)
        return self._kits[kit_id]

    def build_batch(self, conn: psycopg.Connection, messages: list[Incoming]) -> Prepared:
        """Validate and flag the messages; `conn` is only read (kit registrations and recent readings)."""
        if time.monotonic() - self._disabled_read > self.settings.ingest_disabled_refresh_s:
            self._disabled = disabled_kits(conn)
            self._disabled_read = time.monotonic()
        parts = [self._build_part(conn, m) for m in messages]
        batch = Batch()
        for part in parts:
            batch.rows.extend(part.rows)
            batch.rejects.extend(part.rejects)
            batch.status.update(part.status)
            batch.info.update(part.info)
        return Prepared(messages, batch, parts)

    def _build_part(self, conn: psycopg.Connection, m: Incoming) -> Batch:
        part = Batch()
        parts = contract.split_topic(m.topic)
        kit_id, kind = parts if parts else (None, None)

        def reject(reason: str, kit: str | None = kit_id) -> Batch:
            part.rejects.append(RejectRecord(m.topic, kit, reason, excerpt(m.payload)))
            return part

        if kit_id is None:
            return reject("topic is not ijlucht/kits/<kit_id>/<kind>")
        known = self._kit(conn, kit_id)
        if known is None:
            return reject(f"unknown kit {kit_id!r}: not registered", None)
        if kit_id in self._disabled:
            return reject(f"kit {kit_id!r} is disabled: its messages are not stored (a new password re-enables it)")
        not_before, history = known
        when = None if m.retained else m.received
        try:
            if kind == contract.READINGS:
                outcome = parse_readings_message(kit_id, m.payload, m.received, not_before)
                for row in outcome.rows:
                    row.flags |= history.check(row.ts, row.values)
                    part.rows.append((row, m.received))
                part.rejects.extend(RejectRecord(m.topic, kit_id, r.reason, r.excerpt) for r in outcome.rejections)
            elif kind == contract.STATUS:
                part.status[kit_id] = (parse_status(m.payload), when)
            elif kind == contract.INFO:
                info = parse_info(m.payload)
                part.info[kit_id] = (info, when)
                uptime = info_uptime(info)
                if when is not None and uptime is not None:
                    history.booted_at = when - uptime
            else:
                reject(f"unknown message kind {kind!r}")
        except ValueError as e:
            reject(str(e))
        except Exception as e:  # a bug of ours must not stop the stream: keep the message as a reject
            log.exception("could not process message on %s", m.topic)
            reject(f"internal error while validating ({type(e).__name__}); kept for inspection")
        return part

    def store(self, conn: psycopg.Connection, prepared: Prepared) -> StoreResult:
        """Store a batch; if the database refuses it, store message by message and reject the culprits."""
        try:
            result = store_batch(conn, prepared.batch)
            committed = time.time()
            # Lag of live readings from measurement to commit (backfilled ones are late by nature).
            self.lags.extend(committed - row.ts for row, _ in prepared.batch.rows if not row.flags & BACKFILLED)
            return result
        except psycopg.OperationalError:
            raise
        except psycopg.Error as e:
            if isinstance(e, psycopg.errors.ForeignKeyViolation):
                self._kits = {}  # a kit was removed after we cached it: look every kit up again
            if len(prepared.messages) == 1:
                m = prepared.messages[0]
                log.error("database refused a message on %s: %s", m.topic, e)
                reject = RejectRecord(
                    m.topic, None, f"could not be stored ({type(e).__name__}: {e})"[:500], excerpt(m.payload)
                )
                return store_batch(conn, Batch(rejects=[reject]))
            log.warning("database refused a batch (%s); storing its %d messages one by one", e, len(prepared.messages))
        total = StoreResult(0, 0, 0)
        for m, part in zip(prepared.messages, prepared.parts, strict=True):
            total = total + self.store(conn, Prepared([m], part, [part]))
        return total

    def _collect(self) -> list[Incoming]:
        """Block for the first message, then gather until the batch is full or old enough."""
        s = self.settings
        try:
            first = self.inbox.get(timeout=0.5)
        except queue.Empty:
            return []
        messages = [first]
        deadline = time.monotonic() + s.ingest_batch_wait_s
        while len(messages) < s.ingest_batch_size:
            left = deadline - time.monotonic()
            try:
                messages.append(self.inbox.get(timeout=max(left, 0)) if left > 0 else self.inbox.get_nowait())
            except queue.Empty:
                break
        return messages

    def _ack(self, messages: list[Incoming]) -> None:
        for m in messages:
            # A message from an earlier connection will be redelivered by the broker and then stored as a
            # duplicate (ignored) and acked; its old packet id means nothing on the new connection.
            if m.qos > 0 and m.generation == self._generation:
                self.client.ack(m.mid, m.qos)

    def prepare_loop(self) -> None:
        """Gather and validate batches for the writer, one ahead of it."""
        conn: psycopg.Connection | None = None
        try:
            while not self.stopping.is_set():
                messages = self._collect()
                prepared = None
                while messages and prepared is None:
                    try:
                        if conn is None or conn.closed:
                            conn = psycopg.connect(self.settings.dsn, autocommit=True)
                        prepared = self.build_batch(conn, messages)
                    except Exception as e:  # the database is away (kit look-up) or a bug: keep the messages
                        log.warning("could not prepare a batch of %d messages (%s); retrying", len(messages), e)
                        conn = None
                        if self.stopping.wait(1.0):
                            return  # unacked: the broker redelivers them to the next run
                while prepared is not None:
                    try:
                        self._ready.put(prepared, timeout=0.2)
                        prepared = None
                    except queue.Full:
                        if self._writer_done.is_set():
                            return
        finally:
            if conn is not None:
                conn.close()

    def write_loop(self) -> None:
        preparer = threading.Thread(target=self.prepare_loop, name="ingest-prepare", daemon=True)
        preparer.start()
        conn: psycopg.Connection | None = None
        try:
            # On stop, the batches already prepared are written; unacked messages stay with the broker.
            while True:
                try:
                    prepared = self._ready.get(timeout=0.2)
                except queue.Empty:
                    if self.stopping.is_set() and not preparer.is_alive():
                        break
                    continue
                result = None
                while result is None:
                    try:
                        if conn is None or conn.closed:
                            conn = psycopg.connect(self.settings.dsn, autocommit=True)
                        result = self.store(conn, prepared)
                    except psycopg.OperationalError as e:
                        log.warning("database unavailable (%s); retrying %d messages", e, len(prepared.messages))
                    except Exception:  # never die on a bug: keep the batch unacked and try again
                        log.exception("storing a batch of %d messages failed; retrying", len(prepared.messages))
                    if result is None:
                        conn = None
                        if self.stopping.wait(1.0):
                            return  # unacked: the broker redelivers them to the next worker
                self._ack(prepared.messages)
                self.batch_sizes.append(len(prepared.messages))
                c = self.counters
                c.received += len(prepared.messages)
                c.stored += result.stored
                c.duplicates += result.duplicates
                c.rejected += result.rejected
                c.batches += 1
        finally:
            self._writer_done.set()
            if conn is not None:
                conn.close()
            preparer.join(5)

    def rollup_loop(self) -> None:
        """Recompute rollups of the hours that got new readings, every few seconds (late data included)."""
        conn: psycopg.Connection | None = None
        while not self.stopping.wait(self.settings.ingest_rollup_interval_s):
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(self.settings.dsn, autocommit=True)
                while refresh_rollups(conn) and not self.stopping.is_set():
                    pass
            except psycopg.Error as e:
                log.warning("rollup refresh failed (%s); retrying", e)
                conn = None
        if conn is not None:
            conn.close()

    def log_loop(self) -> None:
        last = Counters()
        while not self.stopping.wait(self.settings.ingest_log_interval_s):
            c = self.counters
            log.info(
                "messages %d, readings stored %d, duplicates %d, rejected %d, batches %d (last %.0f s); queue %d;"
                " lag p50 %.2f s p99 %.2f s",
                c.received - last.received,
                c.stored - last.stored,
                c.duplicates - last.duplicates,
                c.rejected - last.rejected,
                c.batches - last.batches,
                self.settings.ingest_log_interval_s,
                self.inbox.qsize(),
                metrics.quantile(list(self.lags), 0.5),
                metrics.quantile(list(self.lags), 0.99),
            )
            last = Counters(**vars(c))

    def metrics(self) -> list[metrics.Sample]:
        out: list[metrics.Sample] = [(f"{k}_total", "counter", "", v) for k, v in vars(self.counters).items()]
        out.append(("queue_depth", "gauge", "", self.inbox.qsize()))
        lags, sizes = list(self.lags), list(self.batch_sizes)
        for q in (0.5, 0.9, 0.99):
            out.append(("lag_seconds", "summary", f'quantile="{q}"', round(metrics.quantile(lags, q), 4)))
        for q in (0.5, 0.99):
            out.append(("batch_messages", "summary", f'quantile="{q}"', metrics.quantile(sizes, q)))
        out.append(("resident_memory_bytes", "gauge", "", metrics.resident_bytes()))
        return out

    def run(self) -> None:
        s = self.settings
        if s.ingest_metrics_port:
            metrics.serve(s.ingest_metrics_host, s.ingest_metrics_port, self.subscribed.is_set, self.metrics)
        self.connect()
        threading.Thread(target=self.log_loop, name="ingest-log", daemon=True).start()
        threading.Thread(target=self.rollup_loop, name="ingest-rollups", daemon=True).start()
        try:
            self.write_loop()
        finally:
            self.client.disconnect()
            self.client.loop_stop()

    def stop(self) -> None:
        self.stopping.set()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    worker = IngestWorker(IngestSettings())
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: worker.stop())
    worker.run()
