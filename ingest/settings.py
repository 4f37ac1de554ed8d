"""Settings of the ingest worker (IJLUCHT_INGEST_* and the shared IJLUCHT_* connection settings)."""

from pydantic import field_validator

from ijlucht.dynsec import INGEST_CLIENT_PREFIX, INGEST_USER
from ijlucht.settings import PlatformSettings


class IngestSettings(PlatformSettings):
    mqtt_user: str = INGEST_USER
    mqtt_password: str = ""  # empty: read from <state_dir>/secrets/mqtt-ingest.pass
    # Always below the reserved prefix: no kit can be registered under an id that names the worker's session.
    ingest_client_id: str = INGEST_CLIENT_PREFIX
    ingest_share_group: str = ""  # set (e.g. "ingest") to share the load between workers
    ingest_batch_size: int = 1000  # messages per database transaction at most
    ingest_batch_wait_s: float = 0.5  # oldest message waits at most this long before a flush
    ingest_session_expiry_s: int = 7 * 86400  # broker keeps our queue this long while we are down
    ingest_log_interval_s: float = 30.0
    ingest_metrics_host: str = "127.0.0.1"
    ingest_rollup_interval_s: float = 2.0  # how stale rollups may be
    # A disabled kit may still hold a broker connection (Mosquitto keeps it after its account is deleted): its
    # messages are rejected once the worker has re-read the list of disabled kits, at most this long after.
    ingest_disabled_refresh_s: float = 5.0
    # /health answers 503 when the oldest message not yet stored and acknowledged is older than this.
    ingest_stall_after_s: float = 120.0
    # QoS 0 messages arriving while this many messages wait are dropped (and counted); QoS 1 ones never are (the
    # broker sends at most the receive maximum of them unacknowledged).
    ingest_qos0_queue_max: int = 20_000
    ingest_rejects_per_kit: int = 100  # rejects stored per kit and window; beyond that only counted
    ingest_rejects_window_s: float = 600.0
    ingest_rejects_retention_days: float = 30.0  # older rejects are deleted
    ingest_rejects_expire_interval_s: float = 3600.0
    ingest_silent_after_s: float = 6 * 3600.0  # an owner is mailed when their kit has been silent this long
    ingest_silence_check_s: float = 300.0  # how often the worker looks for silent (and returned) kits; 0: never

    @field_validator("ingest_client_id")
    @classmethod
    def _own_prefix(cls, value: str) -> str:
        if not value.startswith(INGEST_CLIENT_PREFIX):
            raise ValueError(
                f"the worker's client id must start with {INGEST_CLIENT_PREFIX!r} (reserved for it, so that no kit "
                f"can be registered under it), got {value!r}"
            )
        return value

    def broker_password(self) -> str:
        if self.mqtt_password:
            return self.mqtt_password
        return (self.secrets_dir / "mqtt-ingest.pass").read_text().strip()
