"""ijlucht/owners.py and migration 054: an owner's kit goes with its measurements; a kit with readings is never
deleted by itself."""

import uuid

import psycopg
import pytest

from ijlucht import kits, owners


def test_a_kit_with_readings_still_cannot_be_deleted_by_itself(settings, conn):
    kit_id = f"keep-{uuid.uuid4().hex[:6]}"
    kits.register_kit(conn, settings, kits.NewKit(kit_id, kit_id, 52.48, 4.65))
    conn.execute("INSERT INTO readings (time, kit_id, pm25) VALUES (now(), %s, 5)", (kit_id,))
    with pytest.raises(psycopg.errors.RestrictViolation, match="readings refer to it"):
        conn.execute("DELETE FROM kits WHERE kit_id = %s", (kit_id,))


def test_deleting_a_kit_with_its_measurements_empties_every_table_of_it(settings, conn):
    kit_id = f"del-{uuid.uuid4().hex[:6]}"
    kits.register_kit(conn, settings, kits.NewKit(kit_id, kit_id, 52.48, 4.65, owner_email="a@example.org"))
    owners.delete_kit(conn, settings, kit_id, "delete")
    assert conn.execute("SELECT count(*) FROM kits WHERE kit_id = %s", (kit_id,)).fetchone() == (0,)


def test_sign_ups_older_than_a_week_are_deleted(conn):
    insert = (
        "INSERT INTO kit_signups (email, client, kit_id, name, indoor, sensors, token_hash, created_at, expires_at)"
        " VALUES ('old@example.org', 'x', %s, 'n', false, '{sds011}', %s, now() - %s::interval, now())"
    )
    old, recent = f"old-{uuid.uuid4().hex[:6]}", f"new-{uuid.uuid4().hex[:6]}"
    conn.execute(insert, (old, old, "8 days"))
    conn.execute(insert, (recent, recent, "6 days"))
    assert owners.expire_signups(conn) >= 1
    left = conn.execute("SELECT kit_id FROM kit_signups WHERE kit_id IN (%s, %s)", (old, recent)).fetchall()
    assert left == [(recent,)]


def test_kits_are_given_the_public_broker_and_its_tls_port_in_production(tmp_path):
    from ijlucht.settings import PlatformSettings

    local = PlatformSettings(mqtt_tls_port=18883, state_dir=tmp_path)
    assert (local.kit_broker_host, local.kit_broker_port) == (local.mqtt_host, 18883)
    assert local.kit_ca_path == tmp_path / "mosquitto" / "tls" / "ca.crt"
    public = PlatformSettings(mqtt_public_host="mqtt.lucht.example.nl", kit_ca_file=tmp_path / "root.pem")
    assert (public.kit_broker_host, public.kit_broker_port, public.kit_ca_path) == (
        "mqtt.lucht.example.nl",
        8883,
        tmp_path / "root.pem",
    )
