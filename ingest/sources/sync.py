"""Keep reference data and weather current from the live services: one runner, one feed per source.

A feed turns (series, hours) into parsed rows over HTTP; the runner remembers per series how far it got
(`sync_state.done_until`), so it is incremental and resumes after a restart. Each cycle fetches, per series, the
hours from a little before `done_until` (late values are filled in; the upsert makes refetching harmless) up to now,
in windows the service accepts. A service that is down, slow (timeout) or answers garbage costs that series one
cycle: the error is recorded in `sync_state.last_error`, nothing advances, the other series go on, and the next
cycle tries again. Later networks (Samen Meten, Sensor.Community) add a feed; the runner stays as it is.

    python -m ingest.sources.sync [--once]
"""

import argparse
import json
import logging
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
from pydantic_settings import SettingsConfigDict

from ijlucht.settings import PlatformSettings
from ingest.sources import knmi, luchtmeetnet, store
from ingest.sources.rows import Parsed

log = logging.getLogger("ijlucht.sync")
HOUR = timedelta(hours=1)


class SyncSettings(PlatformSettings):
    """IJLUCHT_SYNC_* settings; the base URLs point at the real services by default."""

    model_config = SettingsConfigDict(env_prefix="IJLUCHT_", extra="ignore")

    sync_luchtmeetnet_url: str = "https://api.luchtmeetnet.nl/open_api"  # https://api-docs.luchtmeetnet.nl/
    sync_knmi_url: str = (
        "https://www.daggegevens.knmi.nl/klimatologie/uurgegevens"  # KNMI "data ophalen vanuit een script"
    )
    sync_stations: str = "NL49551,NL49553,NL49557,NL49570,NL49572,NL49573"  # residents' IJmond stations (ijmond.md)
    sync_components: str = "PM25,PM10,NO2"
    sync_knmi_stations: str = "225,240,257"
    sync_start: str = ""  # first hour fetched for a new series (ISO, UTC); empty: 7 days before now
    sync_interval_s: float = 1800.0
    sync_timeout_s: float = 30.0
    sync_lookback_h: int = 6
    sync_max_pages: int = 50


class FetchError(RuntimeError):
    """The service could not give this window: down, too slow, an HTTP error or an answer that is not data."""


def http_get(url: str, params: dict[str, str], timeout: float) -> str:
    full = f"{url}?{urllib.parse.urlencode(params)}"
    try:
        with urllib.request.urlopen(full, timeout=timeout) as resp:
            return resp.read(20_000_000).decode("utf-8")
    except urllib.error.HTTPError as e:
        raise FetchError(f"HTTP {e.code} from {url}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise FetchError(f"{url} unreachable or too slow: {reason}") from None
    except UnicodeDecodeError:
        raise FetchError(f"{url} answered bytes that are not UTF-8") from None


@dataclass(frozen=True)
class Feed:
    source: str
    series: tuple[str, ...]
    window: timedelta  # the longest span one request may ask for
    fetch: Callable[[str, datetime, datetime], Parsed]  # (series, first hour, end hour exclusive) → rows
    store: Callable[[psycopg.Connection, list], store.Stored]


def _usable(parsed: Parsed, what: str) -> Parsed:
    """Rows with some bad items are kept; an answer with problems and no rows at all is garbage."""
    if parsed.problems and not parsed.rows:
        raise FetchError(f"{what}: {parsed.problems[0].reason}")
    return parsed


def luchtmeetnet_feed(s: SyncSettings) -> Feed:
    stations = [x.strip() for x in s.sync_stations.split(",") if x.strip()]
    components = [x.strip() for x in s.sync_components.split(",") if x.strip()]

    def fetch(series: str, first: datetime, end: datetime) -> Parsed:
        station, formula = series.split(":")
        out = Parsed()
        page, last = 1, 1
        while page <= min(last, s.sync_max_pages):
            # timestamp_measured labels the end of the hour: the hours [first, end) are labelled (first, end].
            params = {"station_number": station, "formula": formula, "page": str(page),
                      "start": (first + HOUR).isoformat(), "end": end.isoformat(),
                      "order_by": "timestamp_measured", "order_direction": "asc"}  # fmt: skip
            text = http_get(f"{s.sync_luchtmeetnet_url}/measurements", params, s.sync_timeout_s)
            parsed = _usable(luchtmeetnet.parse_json_page(text, f"{series} page {page}"), f"{series} page {page}")
            out.rows += parsed.rows
            out.problems += parsed.problems
            try:
                last = int(json.loads(text)["pagination"]["last_page"])
            except (ValueError, KeyError, TypeError):
                last = page
            page += 1
        return out

    return Feed("luchtmeetnet", tuple(f"{st}:{c}" for st in stations for c in components), timedelta(days=7),
                fetch, store.store_reference)  # fmt: skip


def knmi_hour_label(hour_end: datetime) -> str:
    """KNMI's YYYYMMDDHH for the hour ending at `hour_end`: HH runs 1–24, midnight is 24 of the day before."""
    if hour_end.hour == 0:
        return (hour_end - timedelta(days=1)).strftime("%Y%m%d") + "24"
    return hour_end.strftime("%Y%m%d%H")


def knmi_feed(s: SyncSettings) -> Feed:
    def fetch(series: str, first: datetime, end: datetime) -> Parsed:
        params = {"stns": series, "vars": "DD:FH:T:U", "start": knmi_hour_label(first + HOUR),
                  "end": knmi_hour_label(end)}  # fmt: skip
        text = http_get(s.sync_knmi_url, params, s.sync_timeout_s)
        if "# STN,YYYYMMDD" not in text:
            raise FetchError(f"knmi {series}: the answer is not an uurgegevens file")
        return _usable(knmi.parse_uurgegevens(text, f"knmi {series}"), f"knmi {series}")

    stations = tuple(x.strip() for x in s.sync_knmi_stations.split(",") if x.strip())
    return Feed("knmi", stations, timedelta(days=31), fetch, store.store_weather)


def _state(conn: psycopg.Connection, source: str, series: str) -> datetime | None:
    row = conn.execute("SELECT done_until FROM sync_state WHERE source = %s AND series = %s", (source, series))
    found = row.fetchone()
    return found[0] if found else None


def _last_error(conn: psycopg.Connection, source: str, series: str) -> str | None:
    row = conn.execute("SELECT last_error FROM sync_state WHERE source = %s AND series = %s", (source, series))
    found = row.fetchone()
    return found[0] if found else None


def _record(conn: psycopg.Connection, source: str, series: str, done: datetime | None, error: str | None) -> None:
    conn.execute(
        "INSERT INTO sync_state (source, series, done_until, last_ok, last_error) "
        "VALUES (%s, %s, %s, CASE WHEN %s::text IS NULL THEN now() END, %s) "
        "ON CONFLICT (source, series) DO UPDATE SET done_until = coalesce(EXCLUDED.done_until, sync_state.done_until),"
        " last_ok = coalesce(EXCLUDED.last_ok, sync_state.last_ok), last_error = EXCLUDED.last_error",
        (source, series, done, error, error),
    )


@dataclass
class CycleReport:
    stored: int = 0
    unchanged: int = 0
    failed: int = 0
    problems: int = 0


def sync_series(
    conn: psycopg.Connection, feed: Feed, series: str, start: datetime, now: datetime, lookback: timedelta
) -> CycleReport:
    """Bring one series up to the last complete hour before `now`, window by window; stop at the first failure."""
    report = CycleReport()
    done = _state(conn, feed.source, series)
    first = max(done - lookback, start) if done else start
    until = now.replace(minute=0, second=0, microsecond=0)
    while first < until:
        end = min(first + feed.window, until)
        try:
            parsed = feed.fetch(series, first, end)
            stored = feed.store(conn, parsed.rows)
        except (FetchError, psycopg.DataError, psycopg.IntegrityError) as e:
            error = str(e)[:500]
            # A service down for days (or a machine offline) says so once per series, not every cycle: the same
            # error again goes to debug; the cycle line still counts the failed series.
            again = _last_error(conn, feed.source, series) == error
            _record(conn, feed.source, series, None, error)
            report.failed += 1
            (log.debug if again else log.warning)(
                "sync %s %s %s–%s: %s", feed.source, series, first.isoformat(), end.isoformat(), e
            )
            return report
        report.stored += stored.written
        report.unchanged += stored.unchanged
        report.problems += len(parsed.problems)
        _record(conn, feed.source, series, max(end, done) if done else end, None)
        first = end
    return report


def run_cycle(settings: SyncSettings, now: datetime | None = None, feeds: list[Feed] | None = None) -> CycleReport:
    now = now or datetime.now(UTC)
    start = datetime.fromisoformat(settings.sync_start) if settings.sync_start else now - timedelta(days=7)
    start = (start if start.tzinfo else start.replace(tzinfo=UTC)).replace(minute=0, second=0, microsecond=0)
    total = CycleReport()
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        for feed in feeds or [luchtmeetnet_feed(settings), knmi_feed(settings)]:
            for series in feed.series:
                r = sync_series(conn, feed, series, start, now, timedelta(hours=settings.sync_lookback_h))
                total.stored += r.stored
                total.unchanged += r.unchanged
                total.failed += r.failed
                total.problems += r.problems
    log.info("sync cycle: %d rows new or changed, %d unchanged, %d series failed, %d bad items",
             total.stored, total.unchanged, total.failed, total.problems)  # fmt: skip
    return total


def run_forever(settings: SyncSettings, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            run_cycle(settings)
        except psycopg.OperationalError as e:  # the database away: wait and try again, never exit
            log.warning("sync cycle skipped, database unavailable: %s", e)
        stop.wait(settings.sync_interval_s)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest.sources.sync", description=__doc__.splitlines()[0])
    parser.add_argument("--once", action="store_true", help="one cycle, then exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = SyncSettings()
    if args.once:
        return 1 if run_cycle(settings).failed else 0
    stop = threading.Event()
    import signal

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    run_forever(settings, stop)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
