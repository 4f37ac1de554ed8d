"""The `ijlucht` command: bring the platform up and down, migrate, register kits.

ijlucht up | down | status       the whole platform with its demo fleet (make up / make down)
ijlucht migrate                  apply database migrations
ijlucht kits add ID --name N --lat LAT --lon LON     register a kit; prints its broker password
ijlucht kits list
ijlucht kits update ID FILE… --version V     a signed firmware update for one kit (ijlucht/signing.py)
ijlucht kits rollout FILE… --version V --share 10 | --kits A,B | --all    the same to part of the fleet
ijlucht kits updates [--version V]           per kit: target and reported version, whether it took
ijlucht kits update-key                      the public key kits check updates against
ijlucht fleet                    run the demo fleet in the foreground
ijlucht apikeys create --name N [--role reader|admin] | list | revoke PREFIX  (reader unless told)
ijlucht import luchtmeetnet|knmi|samenmeten PATH... [--station S | --kit K]   hourly data of other networks
ijlucht analyse direction|exposure|map [--station S | --kit K] [--json]          is it the steelworks? (issue 16)
ijlucht calibrate --kit KIT [--kit KIT2] --station STATION [--start --end] [--method M] [--json]
"""

import argparse
import subprocess
import sys
from pathlib import Path

import psycopg

from ijlucht import apikeys, broker, db, dynsec, kits, processes
from ijlucht.kits import NewKit, kit_ids, register_kit
from ijlucht.settings import PROJECT_ROOT, PlatformSettings

SERVICES_SH = PROJECT_ROOT / "deploy" / "local" / "services.sh"
# Started in this order, stopped in reverse.
APPS = ("ingest", "push", "api", "dashboard", "sync", "fleet")
MODULES = {"ingest": "ingest", "push": "ingest.push_server", "api": "api", "dashboard": "dashboard",
           "sync": "ingest.sources.sync"}  # fmt: skip


def _services(action: str) -> int:
    """services.sh ACTION; on failure says so (services.sh has printed why) and returns its exit code."""
    rc = subprocess.run(["bash", str(SERVICES_SH), action], check=False).returncode
    if rc:
        print(f"error: `services.sh {action}` failed (exit {rc}), see its messages above", file=sys.stderr)
    return rc


def cmd_migrate(settings: PlatformSettings) -> None:
    try:
        applied = db.migrate(settings.dsn)
    except db.MigrationChanged as e:
        raise SystemExit(f"error: {e}") from None
    print(f"migrations applied: {', '.join(f'{m.version:03d}_{m.name}' for m in applied) or 'none (up to date)'}")


def _app_argv(name: str, args: argparse.Namespace) -> list[str]:
    py = sys.executable
    if name == "fleet":
        return [py, "-m", "ijlucht.cli", "fleet", "--interval", str(args.interval)]
    return [py, "-m", MODULES[name]]


def cmd_up(settings: PlatformSettings, args: argparse.Namespace) -> int:
    if rc := _services("start"):
        return rc
    cmd_migrate(settings)
    import_shipped_reference(settings)
    state = settings.state_dir
    checks = {
        "ingest": f"http://127.0.0.1:{settings.ingest_metrics_port}/health",
        "push": f"http://{settings.push_host}:{settings.push_port}/v1/push/health",
        "api": f"{settings.api_url}/v1/health",
        "dashboard": settings.dashboard_url + "/",
    }
    for name in APPS:
        if name == "fleet" and args.no_fleet:
            continue
        pid = processes.start(state, name, _app_argv(name, args))
        url = checks.get(name)
        if url and not processes.wait_http_ok(url, timeout=60, alive=pid):
            print(f"{name} did not come up; see {processes.log_file(state, name)}", file=sys.stderr)
            return 1
        print(f"  {name:<10} running (pid {pid}), log {processes.log_file(state, name)}")
    print()
    print(f"  API        {settings.api_url}/v1/kits   (docs: {settings.api_url}/docs)")
    print(f"  Dashboard  {settings.dashboard_url}/")
    print("  Stop everything with: make down")
    return 0


def import_shipped_reference(settings: PlatformSettings) -> None:
    """The demo shows reference stations and weather: data/reference is imported on the first `up` (a few seconds;
    later ups find stations stored and skip it). The live sync adds current hours when the services are reachable."""
    from ingest.sources.imports import import_file

    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM reference_stations LIMIT 1").fetchone():
            return
        written = 0
        for source in ("luchtmeetnet", "knmi", "samenmeten"):
            for path in sorted((PROJECT_ROOT / "data" / "reference" / source).glob("*.csv")):
                written += import_file(conn, source, path).written
    print(f"  reference  {written} hourly rows imported from data/reference (docs/science.md)")


def cmd_down(settings: PlatformSettings) -> int:
    # The fleet first, so the worker still records the kits going offline; then the rest together.
    stopped = processes.stop(settings.state_dir, ["fleet"])
    stopped += processes.stop(settings.state_dir, [a for a in APPS if a != "fleet"])
    for name in stopped:
        print(f"  {name} stopped")
    return _services("stop")


def cmd_status(settings: PlatformSettings) -> int:
    rc = subprocess.run(["bash", str(SERVICES_SH), "status"], check=False).returncode
    for name in APPS:
        pid = processes.running_pid(settings.state_dir, name)
        print(f"{name:<11} {'up    pid ' + str(pid) if pid else 'down'}")
        rc = rc or (0 if pid else 1)
    return rc


BOOTSTRAP_UNCONFIRMED = (
    "--bootstrap-key sends an UNSIGNED update: a kit without a key installs it once, and so would it from anyone "
    "who can write its cmd topic. Add --i-understand-this-is-unsigned to send it."
)


def update_command(settings: PlatformSettings, args: argparse.Namespace) -> dict:
    """The signed update for one kit, or the unsigned key bootstrap when explicitly confirmed."""
    from ijlucht import kitcommands, signing

    if args.bootstrap_key:
        if not args.i_understand_this_is_unsigned:
            raise ValueError(BOOTSTRAP_UNCONFIRMED)
        if args.files:
            raise ValueError("--bootstrap-key sends its own files (the key and the signature checks); name none")
        private = signing.load_private_key(settings.secrets_dir)
        return kitcommands.bootstrap_command(args.firmware, signing.public_key_hex(private), args.version)
    if args.i_understand_this_is_unsigned:
        raise ValueError("--i-understand-this-is-unsigned goes with --bootstrap-key only; other updates are signed")
    if not args.files:
        raise ValueError("name the files to send, e.g. kit/app.py")
    command = kitcommands.update_command(args.firmware, args.files, args.version)
    private = signing.load_private_key(settings.secrets_dir)
    return signing.sign_update(private, command, args.kit_id)


def cmd_update_key(settings: PlatformSettings) -> int:
    from ijlucht import signing

    try:
        private = signing.load_private_key(settings.secrets_dir)
    except (ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"update key (public): {signing.public_key_hex(private)}")
    path = signing.key_path(settings.secrets_dir)
    print(f"private key: {path} (never in the database; without it every kit must be flashed again)")
    return 0


def cmd_kit_command(settings: PlatformSettings, args: argparse.Namespace) -> int:
    from ijlucht import kitcommands

    try:
        if args.kits_cmd == "update":
            command = update_command(settings, args)
        elif args.command == "interval":
            if args.seconds is None:
                raise ValueError("interval needs the number of seconds")
            command = kitcommands.interval_command(args.seconds)
        else:
            command = kitcommands.simple_command(args.command)
        body = kitcommands.encode(command)
        password = broker.service_password(settings, dynsec.CMD_USER)
        kitcommands.send(settings.mqtt_host, settings.mqtt_port, password, args.kit_id, body)
    except (ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.kits_cmd == "update" and not args.bootstrap_key:
        from ijlucht import kitupdates

        with psycopg.connect(settings.dsn, autocommit=True) as conn:
            kitupdates.record(conn, args.kit_id, command["id"], args.version, "kit")
    print(f"sent {command['cmd']} (id {command['id']}) to {args.kit_id}; the outcome appears as last_cmd in its info")
    if args.kits_cmd == "update" and args.bootstrap_key:
        print("unsigned key bootstrap sent; send the rest of the firmware as a signed update once the kit confirms")
    return 0


def cmd_kits(settings: PlatformSettings, args: argparse.Namespace) -> int:
    if args.kits_cmd in ("cmd", "update"):
        return cmd_kit_command(settings, args)
    if args.kits_cmd == "update-key":
        return cmd_update_key(settings)
    if args.kits_cmd in ("rollout", "updates"):
        from ijlucht import kitupdates

        return kitupdates.run(settings, args)
    if args.kits_cmd in ("move", "history"):
        from ijlucht import kithistory

        return kithistory.run(settings, args)
    if args.kits_cmd == "approve":
        from ijlucht import owners

        return owners.run(settings, args)
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        if args.kits_cmd == "list":
            print("\n".join(kit_ids(conn)))
            return 0
        try:
            if args.kits_cmd == "add":
                kit = NewKit(args.kit_id, args.name or args.kit_id, args.lat, args.lon, args.municipality, args.indoor)
                password = register_kit(conn, settings, kit, args.password)
                print(f"kit {args.kit_id} registered; broker username and client id {args.kit_id}, password {password}")
            elif args.kits_cmd == "rotate":
                password = kits.rotate_password(conn, settings, args.kit_id)
                print(f"kit {args.kit_id}: new broker password {password} (the old one no longer works)")
            elif args.kits_cmd == "disable":
                kits.disable_kit(conn, settings, args.kit_id)
                print(f"kit {args.kit_id} disabled: it is disconnected and cannot log in; its data stay")
            else:
                kits.delete_kit_account(conn, settings, args.kit_id)
                print(f"kit {args.kit_id}: broker account deleted; its data stay (`kits rotate` makes a new one)")
        except (ValueError, kits.KitNotFound) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        except broker.BrokerAccountError as e:
            print(f"error: nothing changed: {e}", file=sys.stderr)
            return 1
    return 0


def add_reference_parsers(sub: argparse._SubParsersAction) -> None:
    """`import` and `calibrate`: reference stations, weather and kits of other networks (issue 15)."""
    from ijlucht.science import calibration
    from ingest.sources.imports import SOURCES

    imp = sub.add_parser("import", help="import hourly files of Luchtmeetnet, KNMI or Samen Meten (idempotent)")
    imp.add_argument("source", choices=SOURCES)
    imp.add_argument("paths", nargs="+", type=Path)
    imp.add_argument("--station", help="station of one-station files whose name does not say it (NL49570, 225)")
    imp.add_argument("--kit", help="kit of one-kit Samen Meten files whose name does not say it (HLL_545)")
    cal = sub.add_parser("calibrate", help="fit, cross-validate and store a kit's calibration against a station")
    cal.add_argument("--kit", action="append", required=True, help="kit (platform or network id); twice or more "
                     "for kits at the same station: adds leave-one-kit-out scores")  # fmt: skip
    cal.add_argument("--station", required=True, help="Luchtmeetnet station, e.g. NL49570")
    cal.add_argument("--start", type=_utc_time, help="first hour (ISO, UTC)")
    cal.add_argument("--end", type=_utc_time, help="end of the period, exclusive (ISO, UTC)")
    cal.add_argument("--method", default=calibration.METHOD, choices=[calibration.METHOD])
    cal.add_argument("--json", action="store_true", help="print the records as JSON")


def _utc_time(text: str):
    from datetime import UTC, datetime

    when = datetime.fromisoformat(text)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def cmd_import(settings: PlatformSettings, args: argparse.Namespace) -> int:
    """Each file on its own: its good rows are stored even when other lines are bad; exit 1 if any line was."""
    from ingest.sources.imports import import_file

    problems = 0
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        for path in args.paths:
            report = import_file(conn, args.source, path, args.station, args.kit)
            print(report.summary())
            for problem in report.problems[:50]:
                print(f"  error: {problem}", file=sys.stderr)
            if len(report.problems) > 50:
                print(f"  ... and {len(report.problems) - 50} more problem(s) in {path}", file=sys.stderr)
            problems += len(report.problems)
    return 1 if problems else 0


def cmd_calibrate(settings: PlatformSettings, args: argparse.Namespace) -> int:
    import json

    from ijlucht import calibrations
    from ijlucht.science import calibration

    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        try:
            kits = [calibrations.resolve_kit(conn, k) for k in args.kit]
            # Kits of other networks come as hourly means; our own kits as raw readings, corrected one by one.
            frames = {k: calibrations.paired_hours(conn, k, args.station, args.start, args.end) for k, e in kits if e}
            ours = {
                k: calibrations.reading_pairs(conn, k, args.station, args.start, args.end) for k, e in kits if not e
            }
        except calibrations.NoData as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        by_kit = calibration.leave_one_kit_out(frames) if len(frames) > 1 else {}
        out = []
        for kit_id, external_id in kits:
            record = (
                calibration.calibrate(frames[kit_id]) if external_id else calibration.calibrate_readings(*ours[kit_id])
            )
            if kit_id in by_kit:
                record.extra["cv_kit"] = by_kit[kit_id]
            record_id = calibrations.save(conn, record, kit_id, args.station)
            out.append(calibrations.as_json(record, kit_id, external_id, args.station, record_id))
    if args.json:
        print(json.dumps(out[0] if len(out) == 1 else out, indent=2))
    else:
        for r in out:
            state = "valid" if r["valid"] else f"NOT valid: {r['reason']}"
            raw, cv = r.get("raw") or {}, r.get("cv") or {}
            who = r["external_id"] or "IJlucht kit"
            print(f"{r['kit']} ({who}) vs {r['station']}, {r['method']}, n={r['n']}: {state}; "
                  f"RMSE raw {raw.get('rmse')} → cross-validated {cv.get('rmse')} (record {r['id']})")  # fmt: skip
    return 0 if all(r["valid"] for r in out) else 1


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ijlucht", description="IJlucht citizen air-quality platform")
    sub = p.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="start services, migrations, ingest, API, dashboard and the demo fleet")
    up.add_argument("--no-fleet", action="store_true", help="without the demo fleet")
    up.add_argument("--interval", type=int, default=60, help="demo kits' seconds between readings")
    sub.add_parser("down", help="stop everything `up` started")
    sub.add_parser("status", help="what is running")
    sub.add_parser("migrate", help="apply database migrations")
    fleet = sub.add_parser("fleet", help="run the demo fleet in the foreground")
    fleet.add_argument("--interval", type=int, default=60)
    kits = sub.add_parser("kits", help="kit registry")
    ksub = kits.add_subparsers(dest="kits_cmd", required=True)
    ksub.add_parser("list")
    add = ksub.add_parser("add", help="register a kit and create its broker account")
    add.add_argument("kit_id")
    add.add_argument("--name")
    add.add_argument("--lat", type=float)
    add.add_argument("--lon", type=float)
    add.add_argument("--municipality")
    add.add_argument("--indoor", action="store_true")
    add.add_argument("--password", help="default: a new random password")
    for name, text in (
        ("rotate", "a new broker password (the old one stops working at once); re-enables a disabled kit"),
        ("disable", "close the kit's broker session and refuse its logins; its data stay"),
        ("delete", "remove the kit's broker account for good; its data stay"),
    ):
        ksub.add_parser(name, help=text).add_argument("kit_id")
    cmd = ksub.add_parser("cmd", help="send a command to an online kit: interval SECONDS | info | reboot")
    cmd.add_argument("kit_id")
    cmd.add_argument("command", choices=["interval", "info", "reboot"])
    cmd.add_argument("seconds", nargs="?", type=int, help="for interval")
    upd = ksub.add_parser("update", help="send signed firmware files to an online kit (rolled back on failure)")
    upd.add_argument("kit_id")
    upd.add_argument("files", nargs="*", help="paths relative to firmware/, e.g. kit/app.py")
    upd.add_argument("--version", required=True, help="the version the kit reports after the update")
    upd.add_argument("--firmware", type=Path, default=PROJECT_ROOT / "firmware", help="default: ./firmware")
    upd.add_argument(
        "--bootstrap-key", action="store_true", help="the one unsigned update for a kit without a key (see --help)"
    )
    upd.add_argument("--i-understand-this-is-unsigned", action="store_true", help="confirms --bootstrap-key")
    ksub.add_parser("update-key", help="print the public key kits check updates against (made at first use)")
    from ijlucht import kitupdates

    kitupdates.add_parsers(ksub)
    from ijlucht import kithistory

    kithistory.add_parsers(ksub)
    ksub.add_parser("approve", help="let a self-registered kit waiting for approval log in").add_argument("kit_id")
    apikeys.add_parser(sub)
    add_reference_parsers(sub)
    from ijlucht import flash

    flash.add_parser(sub)
    from ijlucht import analyse

    analyse.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = PlatformSettings()
    if args.cmd == "up":
        return cmd_up(settings, args)
    if args.cmd == "down":
        return cmd_down(settings)
    if args.cmd == "status":
        return cmd_status(settings)
    elif args.cmd == "migrate":
        cmd_migrate(settings)
    elif args.cmd == "kits":
        return cmd_kits(settings, args)
    elif args.cmd == "apikeys":
        return apikeys.run(settings, args)
    elif args.cmd == "import":
        return cmd_import(settings, args)
    elif args.cmd == "calibrate":
        return cmd_calibrate(settings, args)
    elif args.cmd == "analyse":
        from ijlucht import analyse

        return analyse.run(settings, args)
    elif args.cmd == "flash":
        from ijlucht import flash

        return flash.run(args)
    elif args.cmd == "fleet":
        from virtualkit import fleet

        fleet.main(args.interval)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
