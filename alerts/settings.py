"""Settings of the alert service (IJLUCHT_ALERTS_* and the shared IJLUCHT_* connection and mail settings)."""

from ijlucht.settings import PlatformSettings


class AlertSettings(PlatformSettings):
    alerts_interval_s: float = 300.0  # how often the rules are evaluated (hourly data: minutes are plenty)
    alerts_deliver_interval_s: float = 10.0  # how often due deliveries (new ones and retries) are sent
    alerts_late_h: int = 6  # hours looked at again each cycle, for data that arrive late (kits with a backlog)
    alerts_catchup_h: int = 7 * 24  # after a long stop, at most this much history is evaluated
    alerts_deliver_within_h: int = 24  # an event raised for an hour older than this is recorded, not sent
    # The links in mails point here (the API's public address, e.g. https://ijlucht.example); empty: api_url.
    alerts_public_url: str = ""
    alerts_webhook_timeout_s: float = 10.0  # a whole webhook request, connect to answer
    alerts_max_attempts: int = 6  # a delivery is given up after this many failures
    alerts_backoff_s: float = 60.0  # wait before the first retry; doubles with each further failure
    alerts_concurrency: int = 16  # deliveries in flight at once: a slow webhook holds one slot, not the queue
    alerts_batch: int = 200  # deliveries taken per round
    alerts_metrics_host: str = "127.0.0.1"
    alerts_metrics_port: int = 0  # /metrics (Prometheus) on loopback; 0: not served

    @property
    def public_url(self) -> str:
        return (self.alerts_public_url or self.api_url).rstrip("/")
