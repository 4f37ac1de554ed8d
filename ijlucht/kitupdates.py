"""Rolling a signed firmware update out to the fleet, and whether it took on each kit.

    choose (pure: a share by a hash of version and kit id, a list, or all) -> sign per kit -> send -> record
    state (pure): the target version beside what the kit reports (info.fw, info.last_cmd)

The share is deterministic: a kit is in the first p % of version V when the hash of "V kit_id" falls in the
lowest p % of its range, so --share 10 then --share 50 reaches the same first tenth plus more, and every
version picks a different first tenth (no kit is always the guinea pig).
"""

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg

from ijlucht.settings import PROJECT_ROOT, PlatformSettings

STATES = ("took", "sent", "failed", "mismatch")


def in_share(kit_id: str, version: str, share: float) -> bool:
    """True when kit_id is among the first `share` percent (0-100) for this version."""
    if not 0 < share <= 100:
        raise ValueError(f"--share is a percentage above 0 and at most 100, got {share}")
    point = int.from_bytes(hashlib.sha256(f"{version} {kit_id}".encode()).digest()[:8], "big")
    return point < share / 100 * 2**64


@dataclass(frozen=True)
class FleetKit:
    kit_id: str
    online: bool
    firmware: str | None
    update_state: str | None = None  # of the last update to this version sent to it (None: never sent)


def choose(fleet: list[FleetKit], version: str, share: float | None, listed: list[str] | None) -> dict:
    """{"send", "done", "pending", "failed", "offline", "unknown": [kit ids]} for one rollout step.

    Kits that run the version already, wait for it, or refused or rolled it back are not sent it again;
    offline kits are left for the next step (a command reaches only a connected kit)."""
    known = {kit.kit_id: kit for kit in fleet}
    if listed is not None:  # with a share: that share of the listed kits (e.g. half of one neighbourhood's)
        picked = [known[k] for k in listed if k in known]
        unknown = [k for k in listed if k not in known]
    else:
        picked, unknown = list(fleet), []
    picked = [k for k in picked if share is None or in_share(k.kit_id, version, share)]
    out: dict[str, list[str]] = {"send": [], "done": [], "pending": [], "failed": [], "offline": []}
    out["unknown"] = unknown
    for kit in picked:
        if kit.firmware == version:
            out["done"].append(kit.kit_id)
        elif kit.update_state == "sent":
            out["pending"].append(kit.kit_id)
        elif kit.update_state is not None:
            out["failed"].append(kit.kit_id)
        elif not kit.online:
            out["offline"].append(kit.kit_id)
        else:
            out["send"].append(kit.kit_id)
    return out


def state(version: str, command_id: str, reported: str | None, last_cmd: dict | None) -> tuple[str, str]:
    """(state, detail) of one kit's update from what the kit reports."""
    if reported == version:
        return "took", ""
    if isinstance(last_cmd, dict) and last_cmd.get("cmd") == "update" and last_cmd.get("ok") is False:
        error = str(last_cmd.get("error", ""))
        if last_cmd.get("id") == command_id or error == f"update {version} rolled back":
            return "failed", error
    if isinstance(last_cmd, dict) and last_cmd.get("ok") is True and last_cmd.get("version") == version:
        return "mismatch", f"confirmed {version} but reports {reported}"
    return "sent", ""


FLEET = """
SELECT k.kit_id, coalesce(k.online, false), k.firmware, k.info -> 'last_cmd',
       (SELECT u.command_id FROM kit_updates u WHERE u.kit_id = k.kit_id AND u.version = %(version)s
        ORDER BY u.sent_at DESC LIMIT 1)
FROM kits k
WHERE k.disabled_at IS NULL
ORDER BY k.kit_id
"""

LATEST = """
SELECT DISTINCT ON (u.kit_id) u.kit_id, u.version, u.command_id, u.rollout, u.sent_at, k.firmware,
       k.info -> 'last_cmd'
FROM kit_updates u JOIN kits k USING (kit_id)
WHERE %(version)s::text IS NULL OR u.version = %(version)s
ORDER BY u.kit_id, u.sent_at DESC
"""


def fleet(conn: psycopg.Connection, version: str) -> list[FleetKit]:
    """Every enabled kit with its state for a rollout of `version`."""
    out = []
    for kit_id, online, firmware, last_cmd, command_id in conn.execute(FLEET, {"version": version}):
        sent = None if command_id is None else state(version, command_id, firmware, last_cmd)[0]
        out.append(FleetKit(kit_id, online, firmware, sent))
    return out


def record(conn: psycopg.Connection, kit_id: str, command_id: str, version: str, rollout: str) -> None:
    """Note an update sent to a kit (nothing for a kit that is not registered)."""
    conn.execute(
        "INSERT INTO kit_updates (kit_id, command_id, version, rollout)"
        " SELECT kit_id, %s, %s, %s FROM kits WHERE kit_id = %s",
        (command_id, version, rollout, kit_id),
    )


def updates(conn: psycopg.Connection, version: str | None = None) -> list[dict]:
    """Per kit its latest update (of `version`, or any), the version it reports and the state."""
    out = []
    for kit_id, target, command_id, rollout, sent_at, reported, last_cmd in conn.execute(LATEST, {"version": version}):
        kit_state, detail = state(target, command_id, reported, last_cmd)
        out.append(
            {
                "kit_id": kit_id,
                "target": target,
                "reported": reported,
                "state": kit_state,
                "detail": detail,
                "rollout": rollout,
                "sent_at": sent_at,
            }
        )
    return out


# --- command line: ijlucht kits rollout | updates --------------------------------------------------------------


def add_parsers(ksub: "argparse._SubParsersAction") -> None:
    ro = ksub.add_parser("rollout", help="send a signed update to a share of the fleet, a list of kits, or all")
    ro.add_argument("files", nargs="+", help="paths relative to firmware/, e.g. kit/app.py")
    ro.add_argument("--version", required=True, help="the version the kits report after the update")
    ro.add_argument("--share", type=float, help="percent of the fleet (or of --kits), the same kits first each step")
    which = ro.add_mutually_exclusive_group()
    which.add_argument("--kits", help="comma-separated kit ids")
    which.add_argument("--all", action="store_true", help="every enabled kit")
    ro.add_argument("--firmware", type=Path, default=PROJECT_ROOT / "firmware", help="default: ./firmware")
    up = ksub.add_parser("updates", help="per kit: the update sent, the version it reports, whether it took")
    up.add_argument("--version", help="only this version")


def _rollout(settings: PlatformSettings, args: argparse.Namespace) -> int:
    from ijlucht import broker, dynsec, kitcommands, signing

    listed = [k.strip() for k in args.kits.split(",") if k.strip()] if args.kits else None
    if args.share is None and listed is None and not args.all:
        print("error: say which kits: --share PERCENT, --kits A,B (with or without --share) or --all", file=sys.stderr)
        return 2
    if args.share is not None and args.all:
        print("error: --share and --all exclude each other (--share alone is a share of all)", file=sys.stderr)
        return 2
    parts = ([f"share {args.share:g}"] if args.share is not None else []) + (["list"] if listed else [])
    label = " of ".join(parts) or "all"
    command = kitcommands.update_command(args.firmware, args.files, args.version)
    private = signing.load_private_key(settings.secrets_dir)
    password = broker.service_password(settings, dynsec.CMD_USER)
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        plan = choose(fleet(conn, args.version), args.version, args.share, listed)
        failed = []
        for kit_id in plan["send"]:
            one = signing.sign_update(private, dict(command, id=kitcommands.new_id("update")), kit_id)
            try:
                kitcommands.send(settings.mqtt_host, settings.mqtt_port, password, kit_id, kitcommands.encode(one))
            except OSError as exc:
                failed.append(f"{kit_id} ({exc})")
                continue
            record(conn, kit_id, one["id"], args.version, label)
    sent = len(plan["send"]) - len(failed)
    print(f"update {args.version} ({label}): sent to {sent} kit(s)")
    for key, text in (
        ("done", "run it already"),
        ("pending", "sent earlier, no answer yet"),
        ("failed", "refused or rolled it back (see `ijlucht kits updates`)"),
        ("offline", "offline: run this again when they are back"),
        ("unknown", "not registered or disabled"),
    ):
        if plan[key]:
            print(f"  {len(plan[key])} {text}: {', '.join(plan[key])}")
    if failed:
        print(f"  not sent: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def _updates(settings: PlatformSettings, args: argparse.Namespace) -> int:
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        rows = updates(conn, args.version)
    print(f"{'kit':<24} {'target':<12} {'reported':<12} {'state':<9} {'sent (UTC)':<17} rollout / detail")
    for row in rows:
        sent = row["sent_at"].astimezone().strftime("%Y-%m-%d %H:%M") if row["sent_at"] else ""
        print(
            f"{row['kit_id']:<24} {row['target']:<12} {row['reported'] or '-':<12} {row['state']:<9} {sent:<17} "
            f"{row['rollout']}{' / ' + row['detail'] if row['detail'] else ''}"
        )
    counts = {name: sum(1 for r in rows if r["state"] == name) for name in STATES}
    print(", ".join(f"{n} {name}" for name, n in counts.items()))
    return 0


def run(settings: PlatformSettings, args: argparse.Namespace) -> int:
    try:
        return _rollout(settings, args) if args.kits_cmd == "rollout" else _updates(settings, args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
