"""Settings shared by every service, read from IJLUCHT_* environment variables.

Defaults match the private local services started by deploy/local/services.sh. Each service extends
PlatformSettings with its own fields (ingest/settings.py, api/settings.py, dashboard/settings.py).

Database passwords: IJLUCHT_PG_PASSWORD when set (production); otherwise libpq reads the role's password from
<state_dir>/secrets/pg-<role>.pgpass, which services.sh writes (mode 0600), so no password sits in a DSN or a log.
"""

from pathlib import Path

from psycopg.conninfo import make_conninfo
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PG_SUPERUSER = "postgres"  # the private instance's superuser (deploy/local/services.sh); only tests and benchmarks


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
    # Outgoing mail (ijlucht/mail.py) goes to a relay on the host, which delivers it onwards.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from: str = "IJlucht <noreply@ijlucht.invalid>"
    smtp_timeout_s: float = 10.0

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
