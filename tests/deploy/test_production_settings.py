"""A production start without what production needs stops with one line saying what to set."""

import os
import subprocess
import sys

import pytest

from ijlucht.settings import PlatformSettings
from tests.conftest import ROOT


@pytest.fixture
def ready(tmp_path):
    """Everything a production start needs, in a temporary state folder."""
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "pg-ijlucht.pgpass").write_text("*:*:*:ijlucht:s3cret\n")
    cert = tmp_path / "fullchain.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\n")
    return {"production": True, "state_dir": tmp_path, "mqtt_public_host": "lucht.example.nl", "tls_cert": cert,
            "public_url": "https://lucht.example.nl"}  # fmt: skip


def test_a_complete_production_configuration_starts(ready):
    assert PlatformSettings(**ready).production_problem() is None


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"pg_password": "change-me"}, "IJLUCHT_PG_PASSWORD is a placeholder"),
        ({"mqtt_public_host": ""}, "set IJLUCHT_MQTT_PUBLIC_HOST"),
        ({"mqtt_public_host": "0.0.0.0"}, "set IJLUCHT_MQTT_PUBLIC_HOST"),
        ({"mqtt_public_host": "127.0.0.1"}, "set IJLUCHT_MQTT_PUBLIC_HOST"),
        ({"tls_cert": "/nonexistent/fullchain.pem"}, "no TLS certificate at /nonexistent/fullchain.pem"),
        ({"public_url": ""}, "set IJLUCHT_PUBLIC_URL"),
        ({"public_url": "http://lucht.example.nl"}, "set IJLUCHT_PUBLIC_URL"),
        ({"public_url": "https://127.0.0.1:8443"}, "set IJLUCHT_PUBLIC_URL"),
    ],
)
def test_a_production_start_with_a_default_or_missing_setting_stops_with_what_to_set(ready, change, says):
    with pytest.raises(SystemExit) as stopped:
        PlatformSettings(**{**ready, **change})
    assert str(stopped.value).startswith(f"error: {says}")


def test_a_missing_database_secret_names_its_file(ready):
    (ready["state_dir"] / "secrets" / "pg-ijlucht.pgpass").unlink()
    with pytest.raises(SystemExit, match=r"no database password: write .*pg-ijlucht\.pgpass or set IJLUCHT_PG"):
        PlatformSettings(**ready)


def test_development_settings_are_not_checked():
    assert PlatformSettings(production=False, mqtt_public_host="").production is False


@pytest.mark.parametrize("module", ["api", "ingest", "ingest.push_server", "dashboard"])
def test_each_service_refuses_a_production_start_in_one_line(ready, module):
    env = {**os.environ, "IJLUCHT_PRODUCTION": "true", "IJLUCHT_STATE_DIR": str(ready["state_dir"])}
    env.update(IJLUCHT_MQTT_PUBLIC_HOST="0.0.0.0", IJLUCHT_TLS_CERT=str(ready["tls_cert"]))
    done = subprocess.run([sys.executable, "-m", module], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: set IJLUCHT_MQTT_PUBLIC_HOST to the DNS name kits reach the broker by (not 0.0.0.0 or loopback)"
    ]
