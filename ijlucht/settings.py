"""Settings shared by every service, read from IJLUCHT_* environment variables.

Defaults match the private local services started by deploy/local/services.sh. Each service extends
PlatformSettings with its own fields (ingest/settings.py, api/settings.py, dashboard/settings.py).

Database passwords: IJLUCHT_PG_PASSWORD when set (production); otherwise libpq reads the role's password from
<state_dir>/secrets/pg-<role>.pgpass, which services.sh writes (mode 0600), so no password sits in a DSN or a log.
"""

from pathlib import Path
from typing import Self

from psycopg.conninfo import make_conninfo
from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PG_SUPERUSER = "postgres"  # the private instance's superuser (deploy/local/services.sh); only tests and benchmarks
PLACEHOLDER_SECRETS = frozenset({"change-me", "changeme", "password", "secret", "ijlucht"})
NOT_PUBLIC_HOSTS = frozenset({"", "0.0.0.0", "127.0.0.1", "localhost", "::", "::1"})


class PlatformSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IJLUCHT_", extra="ignore")

    state_dir: Path = PROJECT_ROOT / ".state"

    pg_host: str = "127.0.0.1"
    pg_port: int = 25432
    pg_dbname: str = "ijlucht"
    pg_user: str = "ijlucht"
    pg_password: str = ""

    mqtt_host: str = "127.0.0.1"
    mqtt_port: int = 18830
    mqtt_tls_port: int = 18883

    api_host: str = "127.0.0.1"
    api_port: int = 8080
    dashboard_host: str = "127.0.0.1"
    dashboard_port: int = 8050
    push_host: str = "127.0.0.1"
    push_port: int = 8090  # HTTP push for Sensor.Community kits (ingest/push_server.py)
    ingest_metrics_port: int = 9108  # the worker's /health and /metrics; 0 turns them off
    api_metrics_port: int = 0  # the API's /metrics on loopback (api/metrics.py); 0: not served
    dashboard_metrics_port: int = 0  # the dashboard's /metrics on loopback (dashboard/metrics.py); 0: not served

    # Production (deploy/server/): a start with a placeholder or missing secret, no public broker name or no
    # certificate stops with one line saying what to set.
    production: bool = False
    mqtt_public_host: str = ""  # the name kits reach the broker's TLS listener by (given to them at registration)
    tls_cert: Path = Path("/etc/ijlucht/tls/fullchain.pem")  # nginx's and Mosquitto's certificate

    @model_validator(mode="after")
    def _fit_for_production(self) -> Self:
        if self.production and (problem := self.production_problem()):
            raise SystemExit(f"error: {problem}")  # one line, no traceback: the operator knows what to set
        return self

    def production_problem(self) -> str | None:
        """What a production start lacks, as an instruction, or None."""
        for name in ("pg_password", "mqtt_password"):
            if getattr(self, name, "") in PLACEHOLDER_SECRETS - {""}:
                return f"IJLUCHT_{name.upper()} is a placeholder: remove it (the secret file is used) or set a real one"
        if not self.pg_password and not self.pg_passfile(self.pg_user).is_file():
            return f"no database password: write {self.pg_passfile(self.pg_user)} or set IJLUCHT_PG_PASSWORD"
        if self.mqtt_public_host in NOT_PUBLIC_HOSTS:
            return "set IJLUCHT_MQTT_PUBLIC_HOST to the DNS name kits reach the broker by (not 0.0.0.0 or loopback)"
        if not self.tls_cert.is_file():
            return f"no TLS certificate at {self.tls_cert}: install one there or set IJLUCHT_TLS_CERT"
        return None

    @property
    def kit_broker_host(self) -> str:
        """Where kits connect: the public name in production, the broker itself otherwise."""
        return self.mqtt_public_host or self.mqtt_host

    mqtt_public_port: int = 8883  # the broker's TLS port as kits reach it in production
    kit_ca_file: Path | None = None  # CA certificate handed to kits (default: the local CA of services.sh)
    kits_need_approval: bool = False  # self-registered kits wait for an admin before their account works

    @property
    def kit_broker_port(self) -> int:
        """The TLS port kits connect to: the public one in production, the local TLS listener otherwise."""
        return self.mqtt_public_port if self.mqtt_public_host else self.mqtt_tls_port

    @property
    def kit_ca_path(self) -> Path:
        return self.kit_ca_file or self.mosquitto_dir / "tls" / "ca.crt"

    # Outgoing mail (ijlucht/mail.py) goes to a relay on the host, which delivers it onwards.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from: str = "IJlucht <noreply@ijlucht.invalid>"
    smtp_timeout_s: float = 10.0

    # Alert webhooks (ijlucht/webhook_targets.py): every URL is hostile, so targets on private, loopback, link-local
    # and other non-public addresses are refused unless they lie in one of these networks (e.g. "10.1.2.0/24").
    alerts_webhook_allow_networks: tuple[str, ...] = ()

    @property
    def dsn(self) -> str:
        """The app role's connection string."""
        if self.pg_password:
            return self._conninfo(self.pg_user, self.pg_dbname, password=self.pg_password)
        return self._conninfo(self.pg_user, self.pg_dbname, passfile=str(self.pg_passfile(self.pg_user)))

    def superuser_dsn(self, dbname: str) -> str:
        """The private instance's superuser (creating and dropping databases for tests and benchmarks)."""
        return self._conninfo(PG_SUPERUSER, dbname, passfile=str(self.pg_passfile(PG_SUPERUSER)))

    def _conninfo(self, user: str, dbname: str, **auth: str) -> str:
        return make_conninfo(
            host=self.pg_host, port=self.pg_port, dbname=dbname, user=user, application_name="ijlucht", **auth
        )

    def pg_passfile(self, role: str) -> Path:
        """The role's password file in libpq's format, written by deploy/local/services.sh."""
        return self.secrets_dir / f"pg-{role}.pgpass"

    @property
    def secrets_dir(self) -> Path:
        return self.state_dir / "secrets"

    @property
    def mosquitto_dir(self) -> Path:
        return self.state_dir / "mosquitto"

    @property
    def api_url(self) -> str:
        return f"http://{self.api_host}:{self.api_port}"

    @property
    def dashboard_url(self) -> str:
        return f"http://{self.dashboard_host}:{self.dashboard_port}"
