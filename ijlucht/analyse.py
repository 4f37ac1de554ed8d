"""`ijlucht analyse direction|exposure|map`: the answers of /v1/direction, /v1/exposure and /v1/exposure/map from
the command line (the same code: api/attribution.py), as JSON or as a short table.

    ijlucht analyse direction --station NL49553 --start 2023-01-01 --end 2023-09-01 --json
    ijlucht analyse exposure --kit sm-hll-545 --start 2023-01-01 --end 2023-09-01
    ijlucht analyse map --start 2023-01-01 --end 2023-09-01 --refresh     (recompute the map's per-day sums)
"""

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta

import psycopg

from ijlucht.settings import PlatformSettings


def _time(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def add_parser(sub: argparse._SubParsersAction) -> None:
    an = sub.add_parser("analyse", help="direction analysis and source exposure of a kit or station (issue 16)")
    asub = an.add_subparsers(dest="analyse_cmd", required=True)
    for name, text in (
        ("direction", "pollution rose and CPF per wind sector and speed bin"),
        ("exposure", "downwind increment towards each emitter with its 95 % interval"),
        ("map", "the exposure map layer: every kit and station"),
    ):
        p = asub.add_parser(name, help=text)
        if name != "map":
            where = p.add_mutually_exclusive_group(required=True)
            where.add_argument("--station", help="Luchtmeetnet station, e.g. NL49553")
            where.add_argument("--kit", help="kit id (ours, or a kit of another network: sm-hll-545 or HLL_545)")
        p.add_argument("--quantity", default="pm25", choices=["pm1", "pm25", "pm10"])
        p.add_argument("--start", type=_time, help="first hour (ISO, UTC); default 365 days before end")
        p.add_argument("--end", type=_time, help="end, exclusive (ISO, UTC); default now")
        p.add_argument("--weather-station", default="225", help="KNMI station of the wind (default 225 IJmuiden)")
        p.add_argument("--emitter", help="emitter id (default: all; map: tata-steel-ijmuiden)")
        p.add_argument("--json", action="store_true", help="print {meta, results} as JSON")
        if name != "map":
            p.add_argument("--speed-bins", default="0,2,4,6,10", help="wind-speed bin edges in m/s")
        if name == "direction":
            p.add_argument("--sectors", type=int, default=12)
            p.add_argument("--percentile", type=float, default=75)
        if name != "map":
            default = "none" if name == "direction" else "regional"
            p.add_argument("--background", choices=["none", "regional"], default=default)
        if name == "map":
            p.add_argument("--refresh", action="store_true", help="recompute the per-day sums of the whole period")


async def _run(settings: PlatformSettings, args: argparse.Namespace) -> tuple[dict, list[dict]]:
    from api import attribution

    end = args.end or datetime.now(UTC)
    start = args.start or end - timedelta(days=365)
    if start >= end:
        raise attribution.AnalysisError(2, "start must be before end")
    async with await psycopg.AsyncConnection.connect(settings.dsn, autocommit=True) as conn:
        if args.analyse_cmd == "map":
            emitter = args.emitter or "tata-steel-ijmuiden"
            if args.refresh:
                d0, d1 = attribution._days(start, end)
                days = [d0 + timedelta(days=i) for i in range((d1 - d0).days)]
                e = attribution.emitter_list([emitter])[0]
                await attribution.refresh_map_days(conn, e, args.quantity, args.weather_station, days)
            return await attribution.exposure_map(conn, emitter, args.quantity, start, end, args.weather_station)
        ref = f"station:{args.station}" if args.station else f"kit:{args.kit}"
        edges = [float(x) for x in args.speed_bins.split(",")]
        emitters = [args.emitter] if args.emitter else None
        if args.analyse_cmd == "direction":
            meta, rows = await attribution.direction_analysis(
                conn, ref, args.quantity, start, end, args.sectors, edges, args.percentile, args.weather_station,
                args.background, emitters,
            )  # fmt: skip
        else:
            meta, rows = await attribution.exposure_analysis(
                conn, ref, args.quantity, start, end, args.weather_station, edges, emitters, args.background
            )
        return {**meta, "start": start, "end": end}, rows


def _print_table(cmd: str, meta: dict, rows: list[dict]) -> None:
    def f(x) -> str:
        return "—" if x is None else f"{x:.1f}"

    if cmd == "direction":
        print(f"{meta['place']} {meta['quantity']} {meta['method']}, wind {meta['weather_station']}: "
              f"{meta['hours']} h, "
              f"calm {meta['calm']['hours']} h, variable {meta['variable']['hours']} h")  # fmt: skip
        for e in meta["emitters"]:
            print(f"  {e['id']}: bearing {f(e['bearing_deg'])}°, {e['distance_km']:.2f} km, rule {e['rule']}")
        for r in rows:
            if r["speed_from"] is None:
                print(f"  sector {r['centre_deg']:5.1f}°: {r['hours']:5d} h  mean {f(r['mean'])}  cpf {f(r['cpf'])}")
    elif cmd == "exposure":
        print(f"{meta['place']} {meta['quantity']} {meta['method']}: {meta['hours']} h")
        for r in rows:
            speeds = "all speeds" if r["speed_from"] is None else f"{r['speed_from']}–{r['speed_to'] or ''} m/s"
            print(f"  {r['emitter']} {speeds}: downwind {r['downwind_hours']} h, increment {f(r['increment'])} "
                  f"[{f(r['increment_low'])}, {f(r['increment_high'])}]")  # fmt: skip
    else:
        for r in rows:
            print(f"  {r['place']}: downwind share {f((r['downwind_share'] or 0) * 100)} %, increment "
                  f"{f(r['increment'])} [{f(r['increment_low'])}, {f(r['increment_high'])}]")  # fmt: skip


def run(settings: PlatformSettings, args: argparse.Namespace) -> int:
    from api import attribution

    try:
        meta, rows = asyncio.run(_run(settings, args))
    except attribution.AnalysisError as e:
        print(f"error: {e.reason}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"meta": meta, "results": rows}, indent=2, default=_json_default))
    else:
        _print_table(args.analyse_cmd, meta, rows)
    return 0


def _json_default(x):
    if isinstance(x, datetime):
        return x.astimezone(UTC).isoformat().replace("+00:00", "Z")
    raise TypeError(f"not JSON: {type(x).__name__}")
