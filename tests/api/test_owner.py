"""The owner's own view of a kit (/v1/owner, X-Owner-Token from registration): health, update state, rejects in
plain words, the latest reading of an indoor kit; an export of all its data; deletion with the owner's choice of
what happens to the measurements."""

import io
import uuid
from datetime import UTC, datetime, timedelta

import pyarrow.parquet as pq
import pytest
from psycopg.types.json import Jsonb

from ijlucht import broker
from ingest.store import Batch, store_batch
from ingest.validate import Row
from tests.api.test_accounts import mailed_link, signup


@pytest.fixture
def owned_kit(api, smtp_server, conn):
    """A kit registered through the sign-up, with readings, an info message and a reject: (kit id, owner token)."""
    kit_id = f"own-{uuid.uuid4().hex[:8]}"
    assert api.post("/v1/accounts/signups", json=signup(kit_id, indoor=True)).status_code == 202
    answer = api.get(mailed_link(smtp_server, f"{kit_id}@example.org")).json()
    now = datetime.now(UTC).replace(microsecond=0)
    batch = Batch()
    for i in range(3):
        t = now - timedelta(minutes=3 - i)
        values = {"pm1": None, "pm25": 7.5 + i, "pm10": 12.0, "t": 21.0, "rh": 40.0, "p": 1012.0}
        batch.rows.append((Row(t.timestamp(), kit_id, values, 0, i), t.timestamp()))
    batch.status[kit_id] = (True, now.timestamp())
    store_batch(conn, batch)
    info = {"rssi": -71, "queued": 4, "reset_cause": "watchdog", "sensors_failing": ["bme280"], "synced": 1}
    conn.execute("UPDATE kits SET info = %s, firmware = '0.2.0' WHERE kit_id = %s", (Jsonb(info), kit_id))
    conn.execute(
        "INSERT INTO rejects (topic, kit_id, reason, excerpt) VALUES (%s, %s, %s, '{}')",
        (f"ijlucht/v1/{kit_id}/readings", kit_id, "reading 0: 'ts' is 3 days in the future"),
    )
    conn.execute(
        "INSERT INTO kit_updates (kit_id, command_id, version, rollout) VALUES (%s, 'c1', '0.2.1', 'kit')", (kit_id,)
    )
    return kit_id, answer["owner_token"]


def test_the_owner_sees_health_update_state_rejects_with_advice_and_the_indoor_reading(api, owned_kit):
    kit_id, token = owned_kit
    r = api.get(f"/v1/owner/kits/{kit_id}", headers={"X-Owner-Token": token})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store", r.text
    view = r.json()
    assert view["indoor"] is True and view["online"] is True and view["latest"]["pm25"] == 9.5
    assert view["last_seen"].endswith("Z")
    health = view["health"]
    assert (health["signal_dbm"], health["backlog"], health["reset_cause"]) == (-71, 4, "watchdog")
    assert "watchdog" in health["reset_note"] and "bme280" in health["sensor_note"]
    assert view["update"]["version"] == "0.2.1" and view["update"]["took"] is False  # the kit still runs 0.2.0
    [reject] = view["rejects"]
    assert "future" in reject["reason"] and "clock" in reject["advice"]
    assert set(view["delete_choices"]) == {"keep", "delete"}


def test_a_wrong_token_or_kit_is_the_same_404(api, owned_kit):
    kit_id, token = owned_kit
    wrong = api.get(f"/v1/owner/kits/{kit_id}", headers={"X-Owner-Token": "A" * 43})
    unknown = api.get("/v1/owner/kits/no-such-kit", headers={"X-Owner-Token": token})
    assert wrong.status_code == unknown.status_code == 404
    assert api.get(f"/v1/owner/kits/{kit_id}").status_code == 422  # no token at all
    assert (
        api.delete(
            f"/v1/owner/kits/{kit_id}", params={"measurements": "delete"}, headers={"X-Owner-Token": "A" * 43}
        ).status_code
        == 404
    )


def test_the_owner_exports_every_reading_as_csv_and_parquet(api, owned_kit):
    kit_id, token = owned_kit
    headers = {"X-Owner-Token": token}
    csv = api.get(f"/v1/owner/kits/{kit_id}/export", headers=headers)
    assert csv.status_code == 200, csv.text
    rows = [line for line in csv.text.splitlines() if line and not line.startswith("#")]
    assert len([r for r in rows[1:] if ",pm25," in r]) == 3  # an indoor kit's readings, not public, still exported
    parquet = api.get(f"/v1/owner/kits/{kit_id}/export", params={"format": "parquet"}, headers=headers)
    table = pq.read_table(io.BytesIO(parquet.content))
    assert set(table.column("kit_id").to_pylist()) == {kit_id}


def test_deleting_and_keeping_measurements_removes_only_personal_data(api, owned_kit, conn, settings):
    kit_id, token = owned_kit
    r = api.delete(f"/v1/owner/kits/{kit_id}", params={"measurements": "keep"}, headers={"X-Owner-Token": token})
    assert r.status_code == 200, r.text
    row = conn.execute("SELECT owner_email, lat, lon, owner_token_hash FROM kits WHERE kit_id = %s", (kit_id,))
    assert row.fetchone() == (None, None, None, None)
    assert conn.execute(
        "SELECT count(*) FROM kit_versions WHERE kit_id = %s AND lat IS NOT NULL", (kit_id,)
    ).fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM kit_signups WHERE kit_id = %s", (kit_id,)).fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM readings WHERE kit_id = %s", (kit_id,)).fetchone() == (3,)
    assert broker.kit_account(settings, kit_id) is None
    assert api.get(f"/v1/owner/kits/{kit_id}", headers={"X-Owner-Token": token}).status_code == 404  # token gone


def test_deleting_with_the_measurements_leaves_nothing_of_the_kit(api, owned_kit, conn, settings):
    kit_id, token = owned_kit
    r = api.delete(f"/v1/owner/kits/{kit_id}", params={"measurements": "delete"}, headers={"X-Owner-Token": token})
    assert r.status_code == 200, r.text
    tables = [
        t
        for (t,) in conn.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'kit_id'"
        )
    ]
    left = {t: conn.execute(f"SELECT count(*) FROM {t} WHERE kit_id = %s", (kit_id,)).fetchone()[0] for t in tables}
    assert set(left.values()) == {0}, left
    assert broker.kit_account(settings, kit_id) is None


def test_the_owner_and_an_admin_move_the_kit_and_its_history_grows(api, owned_kit, admin_key, conn):
    kit_id, token = owned_kit
    body = {"lat": 52.458, "lon": 4.615, "indoor": True, "height_m": 2.0, "sensors": ["sds011"]}
    r = api.post(f"/v1/owner/kits/{kit_id}/move", json=body, headers={"X-Owner-Token": token})
    assert r.status_code == 200, r.text
    assert (r.json()["municipality_code"], r.json()["height_m"], r.json()["sensors"]) == ("GM0453", 2.0, ["sds011"])
    bad = api.post(
        f"/v1/owner/kits/{kit_id}/move", json={**body, "sensors": ["sht3x", "sht4x"]}, headers={"X-Owner-Token": token}
    )
    assert bad.status_code == 422 and "SHT sensors" in bad.json()["detail"]
    r = api.post(
        f"/v1/admin/kits/{kit_id}/move", json={"lat": 52.4874, "lon": 4.6573}, headers={"X-API-Key": admin_key}
    )
    assert r.status_code == 200 and r.json()["municipality_code"] == "GM0375" and r.json()["sensors"] == ["sds011"]
    rows = conn.execute("SELECT municipality_code FROM kit_versions WHERE kit_id = %s ORDER BY valid_from", (kit_id,))
    assert [m for (m,) in rows] == ["GM0375", "GM0453", "GM0375"]
    assert api.post("/v1/owner/kits/no-such-kit/move", json=body, headers={"X-Owner-Token": token}).status_code == 404
