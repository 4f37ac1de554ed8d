"""Settings shared by every service, read from IJLUCHT_* environment variables.

Defaults match the private local services started by deploy/local/services.sh. Each service extends
PlatformSettings with its own fields (ingest/settings.py, api/settings.py, dashboard/settings.py).
"""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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

    @property
    def dsn(self) -> str:
        parts = [
            f"host={self.pg_host}",
            f"port={self.pg_port}",
            f"dbname={self.pg_dbname}",
            f"user={self.pg_user}",
            "application_name=ijlucht",
        ]
        if self.pg_password:
            parts.append(f"password={self.pg_password}")
        return " ".join(parts)

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
