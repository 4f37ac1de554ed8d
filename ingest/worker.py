"""The ingest worker: MQTT in, validated batches into TimescaleDB, acknowledgements only after commit.

paho's network thread only queues messages. A preparing thread gathers them into batches and validates them; a
writing thread stores each batch in one transaction while the next one is being prepared (validation is Python
work, the insert is PostgreSQL work: on two cores they overlap). A message is acknowledged (PUBACK) after the
transaction holding it has committed, and the broker keeps unacknowledged messages in our persistent session, so a
crash or restart of the worker, broker or database loses nothing.

What a message says is judged in ingest/judge.py; here are the threads, acknowledgements and I/O. No message can
stop the stream: a message the database refuses (whatever the error) is stored as a reject of its own, found by
halving the batch, so its neighbours still go in large transactions and are acknowledged.
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
from paho.mqtt.subscribeoptions import SubscribeOptions

from ijlucht import contract
from ijlucht.owners import expire_signups
from ijlucht.quality import BACKFILLED
from ijlucht.silence import check_silent_kits
from ingest import metrics
from ingest.history import KitHistory
from ingest.judge import Batch, KitUnavailable, KnownKit, RejectBudget, RejectRecord, judge
from ingest.rollups import refresh_rollups
from ingest.settings import IngestSettings
from ingest.spike_review import review_spikes
from ingest.store import StoreResult, disabled_kits, expire_rejects, kit_context, store_batch
from ingest.validate import excerpt

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
    """A judged batch on its way to the database."""

    messages: list[Incoming]
    parts: list[Batch]  # one per message
    batch: Batch  # all parts merged: the first try writes them in one transaction
    # Message ranges [lo, hi) still to store, last one next; what is committed is not written again after the
    # database was away in the middle of a batch.
    todo: list[tuple[int, int]]
    result: StoreResult


@dataclass
class Counters:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    batches: int = 0
    transactions: int = 0  # tried, committed or not
    refused: int = 0  # messages the database refused, stored as rejects
    dropped_qos0: int = 0  # QoS 0 messages dropped because the inbox was full


class IngestWorker:
    def __init__(self, settings: IngestSettings) -> None:
        self.settings = settings
        self.inbox: queue.SimpleQueue[Incoming] = queue.SimpleQueue()  # C-implemented: cheap per message
        # Arrival times of the messages in the worker, oldest first: the writer removes them as it acknowledges.
        self._arrivals: deque[float] = deque()
        self._qos0_max = settings.ingest_qos0_queue_max
        self.counters = Counters()
        self.budget = RejectBudget(settings.ingest_rejects_per_kit, settings.ingest_rejects_window_s)
        self.lags: deque[float] = deque(maxlen=20_000)  # seconds, reading time -> commit, recent readings
        self.batch_sizes: deque[int] = deque(maxlen=1000)
        self.lag_histogram = metrics.BucketHistogram(
            "commit_lag_seconds", "ingest worker: reading time to commit, live readings", metrics.LAG_BOUNDS
        )
        self.batch_histogram = metrics.BucketHistogram(
            "batch_size_messages", "ingest worker: messages per stored batch", metrics.BATCH_BOUNDS
        )
        self.stopping = threading.Event()
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self._generation = 0
        self._kits: dict[str, KnownKit] = {}
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

    def _filters(self) -> list[tuple[str, SubscribeOptions]]:
        group = self.settings.ingest_share_group
        prefix = f"$share/{group}/" if group else ""
        # Readings keep their retain flag on live delivery too, so that retained readings are seen and refused.
        return [
            (prefix + contract.subscription(k), SubscribeOptions(qos=1, retainAsPublished=k == contract.READINGS))
            for k in (contract.READINGS, contract.STATUS, contract.INFO)
        ]

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
        # A QoS 0 flood must not fill memory; QoS 1 messages are bounded by our receive maximum.
        if msg.qos == 0 and self.inbox.qsize() >= self._qos0_max:
            self.counters.dropped_qos0 += 1
            return
        received = time.time()
        self._arrivals.append(received)
        self.inbox.put(Incoming(msg.topic, msg.payload, msg.mid, msg.qos, bool(msg.retain), received, self._generation))

    def connect(self) -> None:
        s = self.settings
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = s.ingest_session_expiry_s
        # Unacked in flight: the batch being written, the one waiting for it and the one being gathered.
        props.ReceiveMaximum = min(65535, max(100, s.ingest_batch_size * 5))
        self.client.connect_async(s.mqtt_host, s.mqtt_port, keepalive=30, clean_start=False, properties=props)
        self.client.loop_start()

    # --- preparing side ----------------------------------------------------------------------------------------
    def _lookup(self, conn: psycopg.Connection, kit_id: str) -> KnownKit | None:
        """A kit's registration and quality history; read from the database on first sight (it may be new)."""
        known = self._kits.get(kit_id)
        if known is None:
            try:
                ctx = kit_context(conn, kit_id)
            except psycopg.OperationalError as e:
                raise KitUnavailable(str(e)) from e
            if ctx is None:
                return None
            history = KitHistory(booted_at=ctx.booted_at)
            for ts, values in ctx.recent:
                history.check(ts, values)
            known = self._kits[kit_id] = KnownKit(ctx.registered, history, kit_id in self._disabled)
        return known

    def build_batch(self, conn: psycopg.Connection, messages: list[Incoming]) -> Prepared:
        """Judge the messages; `conn` is only read (kit registrations and recent readings)."""
        if time.monotonic() - self._disabled_read > self.settings.ingest_disabled_refresh_s:
            self._disabled = disabled_kits(conn)
            self._disabled_read = time.monotonic()
            for kit_id, known in self._kits.items():
                known.disabled = kit_id in self._disabled

        def lookup(kit_id: str) -> KnownKit | None:
            return self._lookup(conn, kit_id)

        parts = []
        batch = Batch()
        for m in messages:
            part = judge(m.topic, m.payload, m.retained, m.received, lookup)
            part.rejects = self.budget.admit(part.rejects, m.received)
            batch.extend(part)
            parts.append(part)
        return Prepared(messages, parts, batch, [(0, len(messages))], StoreResult(0, 0, 0))

    # --- writing side ------------------------------------------------------------------------------------------
    def store(self, conn: psycopg.Connection, prepared: Prepared) -> StoreResult:
        """Store the batch in as few transactions as the database allows.

        When it refuses a range of messages (any error but a lost connection), each half is tried on its own: one
        refused message costs O(log n) transactions, ends as a reject with the reason, and its neighbours stay in
        large transactions. A lost connection (OperationalError) propagates: the caller retries what is left."""
        while prepared.todo:
            lo, hi = prepared.todo[-1]
            batch = prepared.batch if (lo, hi) == (0, len(prepared.messages)) else _merged(prepared.parts[lo:hi])
            self.counters.transactions += 1
            try:
                result = store_batch(conn, batch)
            except psycopg.OperationalError:
                raise
            except Exception as e:
                if hi - lo > 1:
                    mid = (lo + hi) // 2
                    prepared.todo[-1:] = [(mid, hi), (lo, mid)]
                    continue
                result = self._store_refused(conn, prepared.messages[lo], e)
            else:
                committed = time.time()
                # Lag of live readings from measurement to commit (backfilled ones are late by nature).
                lags = [committed - row.ts for row, _ in batch.rows if not row.flags & BACKFILLED]
                self.lags.extend(lags)
                self.lag_histogram.observe_many(lags)
            prepared.todo.pop()  # only now: if storing raised, the caller retries this range
            prepared.result = prepared.result + result
        return prepared.result

    def _store_refused(self, conn: psycopg.Connection, m: Incoming, error: Exception) -> StoreResult:
        """A message the database refused, as a reject with the database's reason."""
        if isinstance(error, psycopg.errors.ForeignKeyViolation):
            self._kits = {}  # a kit was removed after we cached it: look every kit up again
        self.counters.refused += 1
        parts = contract.split_topic(m.topic)
        kit_id = parts[0] if parts and contract.is_valid_kit_id(parts[0]) else None
        reason = f"could not be stored ({type(error).__name__}: {error})"[:500]
        rejects = self.budget.admit([RejectRecord(m.topic, kit_id, reason, excerpt(m.payload))], m.received)
        if not rejects:
            return StoreResult(0, 0, 0)
        self.counters.transactions += 1
        try:
            return store_batch(conn, Batch(rejects=rejects))
        except psycopg.OperationalError:
            raise
        except Exception:  # not even its reject can be stored: log it, so the stream still moves on
            log.exception("could not store the reject of a refused message on %r", m.topic[:200])
            self.budget.dropped += 1
            return StoreResult(0, 0, 0)

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
                    except Exception as e:  # the database is away (kit look-up): keep the messages
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
                    except Exception as e:  # the connection is lost (or storing a reject failed): retry what is left
                        log.warning("database unavailable (%s); retrying %d messages", e, len(prepared.messages))
                    if result is None:
                        if conn is not None:
                            conn.close()
                        conn = None
                        if self.stopping.wait(1.0):
                            return  # unacked: the broker redelivers them to the next worker
                self._ack(prepared.messages)
                for _ in prepared.messages:
                    self._arrivals.popleft()
                self.batch_sizes.append(len(prepared.messages))
                self.batch_histogram.observe_many((len(prepared.messages),))
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
        """Recompute rollups of hours with new readings every few seconds (late data included); then review spikes."""
        conn: psycopg.Connection | None = None
        while not self.stopping.wait(self.settings.ingest_rollup_interval_s):
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(self.settings.dsn, autocommit=True)
                while refresh_rollups(conn) and not self.stopping.is_set():
                    pass
                # Fresh hourly means let the spike review judge flagged hours against their neighbours.
                while review_spikes(conn) and not self.stopping.is_set():
                    pass
            except psycopg.Error as e:
                log.warning("rollup refresh failed (%s); retrying", e)
                conn = None
        if conn is not None:
            conn.close()

    def expire_loop(self) -> None:
        """Delete rejects and residents' sign-ups older than their retention, at start and then every interval."""
        s = self.settings
        while True:
            try:
                with psycopg.connect(s.dsn, autocommit=True) as conn:
                    deleted = expire_rejects(conn, s.ingest_rejects_retention_days * 86400)
                    expire_signups(conn)  # residents' sign-ups, with their address (docs/privacy.md)
                if deleted:
                    log.info("deleted %d rejects older than %g days", deleted, s.ingest_rejects_retention_days)
            except psycopg.Error as e:
                log.warning("could not delete old rejects (%s); trying again later", e)
            if self.stopping.wait(s.ingest_rejects_expire_interval_s):
                return

    def silence_loop(self) -> None:
        """Mail owners of kits gone silent, and of kits heard again (ijlucht/silence.py), every interval."""
        s = self.settings
        while not self.stopping.wait(s.ingest_silence_check_s):
            try:
                with psycopg.connect(s.dsn, autocommit=True) as conn:
                    silent, back = check_silent_kits(conn, s, s.ingest_silent_after_s)
                if silent or back:
                    log.info("mailed owners: %d kits silent, %d back", silent, back)
            except psycopg.Error as e:
                log.warning("could not check for silent kits (%s); trying again later", e)

    def oldest_unacked_age(self) -> float:
        """Seconds the oldest message in the worker (received, not yet stored and acknowledged) has waited."""
        try:
            return max(0.0, time.time() - self._arrivals[0])
        except IndexError:  # none waits (or the writer just took the last one)
            return 0.0

    def health_problem(self) -> str | None:
        """Why the worker is unhealthy, or None."""
        if not self.subscribed.is_set():
            return "not subscribed to the broker"
        age, limit = self.oldest_unacked_age(), self.settings.ingest_stall_after_s
        if age > limit:
            return f"oldest unacknowledged message is {age:.0f} s old (limit {limit:g} s): messages are not stored"
        return None

    def log_loop(self) -> None:
        last, last_dropped = Counters(), 0
        while not self.stopping.wait(self.settings.ingest_log_interval_s):
            c = self.counters
            dropped = self.budget.dropped
            log.info(
                "messages %d, readings stored %d, duplicates %d, rejected %d (not stored: %d over budget),"
                " refused by the database %d, QoS 0 dropped %d, batches %d (last %.0f s); queue %d;"
                " lag p50 %.2f s p99 %.2f s",
                c.received - last.received,
                c.stored - last.stored,
                c.duplicates - last.duplicates,
                c.rejected - last.rejected,
                dropped - last_dropped,
                c.refused - last.refused,
                c.dropped_qos0 - last.dropped_qos0,
                c.batches - last.batches,
                self.settings.ingest_log_interval_s,
                self.inbox.qsize(),
                metrics.quantile(list(self.lags), 0.5),
                metrics.quantile(list(self.lags), 0.99),
            )
            last, last_dropped = Counters(**vars(c)), dropped

    def metrics(self) -> list[metrics.Sample]:
        out: list[metrics.Sample] = [(f"{k}_total", "counter", "", v) for k, v in vars(self.counters).items()]
        out.append(("rejects_dropped_total", "counter", "", self.budget.dropped))
        out.append(("queue_depth", "gauge", "", self.inbox.qsize()))
        out.append(("oldest_unacked_age_seconds", "gauge", "", round(self.oldest_unacked_age(), 3)))
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
            metrics.serve(
                s.ingest_metrics_host,
                s.ingest_metrics_port,
                self.health_problem,
                self.metrics,
                (self.lag_histogram, self.batch_histogram),
            )
        self.connect()
        threading.Thread(target=self.log_loop, name="ingest-log", daemon=True).start()
        threading.Thread(target=self.rollup_loop, name="ingest-rollups", daemon=True).start()
        threading.Thread(target=self.expire_loop, name="ingest-expire", daemon=True).start()
        if self.settings.ingest_silence_check_s > 0:
            threading.Thread(target=self.silence_loop, name="ingest-silence", daemon=True).start()
        try:
            self.write_loop()
        finally:
            self.client.disconnect()
            self.client.loop_stop()

    def stop(self) -> None:
        self.stopping.set()


def _merged(parts: list[Batch]) -> Batch:
    batch = Batch()
    for part in parts:
        batch.extend(part)
    return batch


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    worker = IngestWorker(IngestSettings())
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: worker.stop())
    worker.run()
