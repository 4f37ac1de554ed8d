"""The production layout end to end: a kit registered over HTTPS reports over TLS and shows on the map via nginx;
certificate renewal, disabling, systemd-analyze, read-only file system, metrics (fixture: tests/deploy/conftest.py).
"""

import re
import subprocess
import uuid

import httpx

from tests.conftest import wait_for
from tests.deploy import unitrun
from tests.deploy.layout import SERVER_NAME, SERVICES, Kit, _ok, admin_key, api, on_map, served_serial, server_cert


def test_a_kit_registered_over_https_reports_through_tls_and_shows_on_the_map_through_the_proxy(layout):
    lay, ca = layout, layout.work / "ca.crt"
    for name in SERVICES:
        assert lay.procs[name].poll() is None, (lay.work / f"{name}.log").read_text()[-2000:]
    wait_for(
        lambda: _ok(lambda: api(lay, ca, "GET", "/v1/health").status_code == 200), timeout=60, what="API via nginx"
    )
    key = admin_key(lay)
    kit_id = f"lay-{uuid.uuid4().hex[:6]}"
    r = api(lay, ca, "POST", "/v1/admin/kits", headers={"X-API-Key": key},
            json={"kit_id": kit_id, "name": "Layout", "lat": 52.47, "lon": 4.62})  # fmt: skip
    assert r.status_code in (200, 201), r.text
    broker = r.json()["mqtt"] if "mqtt" in r.json() else r.json()
    assert broker["host"] == SERVER_NAME and broker["tls_port"] == lay.ports["MQTT_TLS"]
    kit = Kit(lay, ca, kit_id, broker["password"])
    try:
        assert kit.connected.wait(10), "the kit did not connect over TLS"
        kit.send(12.5)
        shown = wait_for(lambda: on_map(lay, ca, kit_id), timeout=30, what="the reading on the map via nginx")
        assert shown
        assert api(lay, ca, "GET", "/v1/push/health").json() == {"status": "ok"}  # the push server behind nginx
        page = api(lay, ca, "GET", "/")
        assert page.status_code == 200 and "_dash" in page.text  # the dashboard, under gunicorn, via nginx
        # The reference sync under its unit: its services unreachable here, it records that and goes on.
        sync_log = lay.work / "ijlucht-sync.log"
        wait_for(lambda: "sync cycle:" in sync_log.read_text(), timeout=60, what="a sync cycle")
        failed = re.search(r"(\d+) series failed", sync_log.read_text())
        assert failed and int(failed.group(1)) > 0 and lay.procs["ijlucht-sync"].poll() is None
        # The alert service under its unit: it evaluates every area's feed rules and keeps running.
        alerts_log = lay.work / "ijlucht-alerts.log"
        wait_for(lambda: "alerts evaluation:" in alerts_log.read_text(), timeout=60, what="an alerts evaluation")
        watches = re.search(r"(\d+) watches", alerts_log.read_text())
        assert watches and int(watches.group(1)) > 0 and lay.procs["ijlucht-alerts"].poll() is None
        # Nothing the services wrote lies outside their state folder: / was read-only for them.
        assert (lay.path("/var/lib/ijlucht/secrets/position-jitter.key")).exists()

        # Certificate replaced from the local CA: nginx reloads, the broker restarts, the kit reconnects by itself.
        before = served_serial(lay.ports["HTTPS"], ca)
        crt, keyfile = server_cert(lay.work, "second")
        asked = lay.replace_certificate(crt, keyfile)  # type: ignore[attr-defined]
        assert asked == ["reload nginx", "restart mosquitto"]
        subprocess.run(["kill", "-HUP", str(lay.procs["nginx"].pid)], check=True)
        unitrun.stop(lay.procs["mosquitto"])
        lay.start_mosquitto()
        wait_for(lambda: served_serial(lay.ports["HTTPS"], ca) != before, what="nginx serving the new certificate")
        assert served_serial(lay.ports["MQTT_TLS"], ca) != before
        wait_for(lambda: kit.connects >= 2 and kit.connected.is_set(), timeout=30, what="the kit reconnecting")
        kit.send(33.0)
        wait_for(lambda: (on_map(lay, ca, kit_id) or {}).get("value") == 33.0, timeout=30, what="a reading after it")
        # The worker came back to its persistent session on the restarted broker (nothing queued was lost).
        assert "session present: True" in (lay.work / "ijlucht-ingest.log").read_text()

        # Disabled through the API: its live session is cut at once.
        r = api(lay, ca, "POST", f"/v1/admin/kits/{kit_id}/disable", headers={"X-API-Key": key})
        assert r.status_code == 200, r.text
        wait_for(lambda: not kit.connected.is_set(), timeout=10, what="the disabled kit's session cut")
    finally:
        kit.close()


def test_units_pass_systemd_analyze_verify(layout):
    """Run where the units see /opt/ijlucht as production does (the layout's view, a private /tmp to work in)."""
    units = [f"/etc/systemd/system/{p.name}" for p in sorted(layout.path("/etc/systemd/system").glob("ijlucht-*"))]
    assert len(units) == 8
    broken = layout.path("/run/verify-control/ijlucht-broken.service")  # a control: verify does look at ExecStart
    broken.parent.mkdir(parents=True, exist_ok=True)
    text = layout.path("/etc/systemd/system/ijlucht-push.service").read_text()
    broken.write_text(text.replace("/.venv/bin/python -m", "/.venv/bin/no-such-program -m"))
    view = unitrun.Unit(name="verify", exec_start="", private_tmp=True)

    def verify(*paths: str) -> subprocess.CompletedProcess:
        argv = ["systemd-analyze", "verify", *paths]
        cmd = unitrun.command_line(layout.root, view, argv, unitrun.unit_env(layout.root, view))
        return subprocess.run(cmd, capture_output=True, text=True)

    done = verify(*units)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    # Debian's mosquitto.service with our drop-in: room for both listeners' 12,000 connections.
    dropin = layout.path("/etc/systemd/system/mosquitto.service.d/ijlucht.conf").read_text()
    assert int(dropin.split("LimitNOFILE=")[1].split()[0]) > 2 * 12_000
    with_dropin = verify("/lib/systemd/system/mosquitto.service")
    assert with_dropin.returncode == 0, with_dropin.stderr
    control = verify("/run/verify-control/ijlucht-broken.service")
    assert control.returncode != 0 and "no-such-program" in control.stderr, control.stderr


def test_a_unit_can_write_only_its_declared_paths(layout):
    unit = unitrun.parse_unit(layout.path("/etc/systemd/system/ijlucht-ingest.service"))
    assert unit.writable == ["/var/lib/ijlucht"] and unit.user == "ijlucht"
    for target, allowed in [("/var/lib/ijlucht/probe", True), ("/tmp/probe", True), ("/opt/ijlucht/probe", False),
                            ("/etc/ijlucht/probe", False), ("/var/lib/mosquitto/probe", False), ("/srv/probe", False),
                            ("/var/tmp/../log/probe", False)]:  # fmt: skip
        done = unitrun.run(layout.root, unit, ["sh", "-c", f"echo x > {target}"])
        assert (done.returncode == 0) == allowed, (target, done.stderr)
        if not allowed:
            assert "Read-only file system" in done.stderr or "Permission denied" in done.stderr, done.stderr
    # As root too (the backup unit): outside its ReadWritePaths nothing is writable.
    backup = unitrun.parse_unit(layout.path("/etc/systemd/system/ijlucht-backup.service"))
    assert unitrun.run(layout.root, backup, ["sh", "-c", "echo x > /var/lib/ijlucht/probe2"]).returncode != 0
    # The state folder and the secrets are the service user's alone.
    state, secrets = layout.path("/var/lib/ijlucht"), layout.path("/var/lib/ijlucht/secrets")
    assert oct(state.stat().st_mode & 0o777) == "0o750" and oct(secrets.stat().st_mode & 0o777) == "0o700"
    assert all(oct(f.stat().st_mode & 0o777) == "0o600" for f in secrets.iterdir() if f.is_file())


def test_each_service_serves_prometheus_metrics_on_loopback_and_the_api_logs_requests(layout):
    def scrape(port_name: str) -> str:
        return httpx.get(f"http://127.0.0.1:{layout.ports[port_name]}/metrics", timeout=10).text

    api_text = scrape("API_METRICS")
    assert 'ijlucht_api_request_duration_seconds_bucket{le="0.005",method="GET",route="/v1/map/latest"' in api_text
    assert "ijlucht_kits_active " in api_text and "ijlucht_kits_reporting " in api_text
    assert "ijlucht_dashboard_request_duration_seconds_bucket" in scrape("DASHBOARD_METRICS")
    assert "ijlucht_ingest_stored_total" in scrape("INGEST_METRICS")
    assert "ijlucht_alerts_last_evaluation_timestamp_seconds" in scrape("ALERTS_METRICS")
    log = (layout.work / "ijlucht-api.log").read_text()
    assert " GET /v1/map/latest 200 " in log
