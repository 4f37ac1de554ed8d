"""Direction analysis and source exposure of a place: reads through api/queries/attribution.py, computes with the
pure methods (ijlucht/science/direction.py, roses.py, exposure.py, background.py). Used by the routes and by
`ijlucht analyse` (the same answers from the command line).

A kit's bearing to an emitter uses the position the kit had in each hour (kit history, migration 052); hours a kit
stood indoors are left out. Stations and kits of other networks have one position.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np
from psycopg import AsyncConnection

from api.queries import attribution as q
from ijlucht import sources
from ijlucht.science import background, direction, exposure, roses
from ijlucht.science.direction import EmitterView

PLACE_PATTERN = r"^(?:station:[A-Z]{2}[0-9]{5}|kit:[A-Za-z0-9_-]{1,40})$"
RECOMPUTE_WITHIN = timedelta(days=2)  # a map day computed less than this after its end is computed again


class AnalysisError(Exception):
    """A request that cannot be answered, with the reason a person can act on; status 404 or 422."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass
class Place:
    """A kit or station with its positions: (from, to, lat, lon, indoor) spans; one span for stations."""

    ref: str  # station:NL49553 | kit:<id>
    kind: str  # station | external | kit
    db_id: str
    name: str
    spans: list[tuple] = field(default_factory=list)
    position_source: str | None = None

    @property
    def located(self) -> bool:
        return any(s[2] is not None and s[3] is not None and not s[4] for s in self.spans)

    @property
    def current(self) -> tuple[float | None, float | None]:
        for s in reversed(self.spans):
            if s[2] is not None and not s[4]:
                return s[2], s[3]
        return None, None


_FOREVER = (datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC))


def _station_place(row: tuple) -> Place:
    sid, name, lat, lon, source = row
    return Place(f"station:{sid}", "station", sid, name, [(*_FOREVER, lat, lon, False)], source)


async def all_places(conn: AsyncConnection) -> list[Place]:
    out = [_station_place(r) for r in await q.stations(conn)]
    for kit_id, ext, lat, lon, source in await q.external_kits(conn):
        out.append(Place(f"kit:{kit_id}", "external", kit_id, ext, [(*_FOREVER, lat, lon, False)], source))
    spans: dict[str, list] = {}
    for kit_id, start, end, lat, lon, indoor in await q.kit_spans(conn):
        spans.setdefault(kit_id, []).append((_finite(start, 0), _finite(end, 1), lat, lon, indoor))
    out += [Place(f"kit:{k}", "kit", k, k, v, "public position (kit history)") for k, v in spans.items()]
    return out


def _finite(t, i: int) -> datetime:
    return _FOREVER[i] if t is None else t  # the query turns ±infinity into NULL


async def place(conn: AsyncConnection, ref: str) -> Place:
    if not re.fullmatch(PLACE_PATTERN, ref):
        raise AnalysisError(422, "source must be station:<Luchtmeetnet number> (station:NL49553) or kit:<kit id>")
    kind, ident = ref.split(":", 1)
    if kind == "station":
        rows = await q.stations(conn, ident)
        if not rows:
            raise AnalysisError(404, f"no reference station {ident!r}; see /v1/stations")
        found = _station_place(rows[0])
    else:
        ext = await q.external_kits(conn, ident)
        if ext:
            kit_id, name, lat, lon, source = ext[0]
            found = Place(f"kit:{kit_id}", "external", kit_id, name, [(*_FOREVER, lat, lon, False)], source)
        else:
            spans = [
                (_finite(a, 0), _finite(b, 1), la, lo, ind) for _, a, b, la, lo, ind in await q.kit_spans(conn, ident)
            ]
            if not spans:
                raise AnalysisError(404, f"no public kit {ident!r}; see /v1/kits")
            found = Place(ref, "kit", ident, ident, spans, "public position (kit history)")
    if not found.located:
        why = found.position_source or "no position stored"
        raise AnalysisError(422, f"{ref} has no known position ({why}); it is left out of direction analysis "
                                 "until it has one")  # fmt: skip
    return found


def emitter_list(emitter_ids: list[str] | None) -> list[direction.Emitter]:
    try:
        return [sources.get_emitter(e) for e in emitter_ids] if emitter_ids else list(sources.emitters().values())
    except sources.UnknownEmitter as e:
        raise AnalysisError(422, str(e.args[0])) from None


def _hour_index(start: datetime, end: datetime) -> np.ndarray:
    return np.arange(np.datetime64(start.replace(tzinfo=None), "h"), np.datetime64(end.replace(tzinfo=None), "h"))


def _on_grid(rows: list[tuple], grid: np.ndarray, start: datetime) -> np.ndarray:
    """Values at each hour of the grid (NaN where none)."""
    out = np.full(grid.size, np.nan)
    if rows:
        hours = np.array([(r[0] - start).total_seconds() // 3600 for r in rows], dtype=np.int64)
        vals = np.array([np.nan if r[1] is None else r[1] for r in rows], dtype=float)
        ok = (hours >= 0) & (hours < grid.size)
        out[hours[ok]] = vals[ok]
    return out


@dataclass
class Wind:
    station: str
    dir: np.ndarray
    state: np.ndarray
    speed: np.ndarray


async def wind(conn: AsyncConnection, weather_station: str, start: datetime, end: datetime, n: int) -> Wind:
    if not await q.weather_station_exists(conn, weather_station):
        raise AnalysisError(404, f"no weather station {weather_station!r}; see /v1/weather")
    rows = await q.wind(conn, weather_station, start, end)
    w = Wind(weather_station, np.full(n, np.nan), np.full(n, None, dtype=object), np.full(n, np.nan))
    for hour, state, wd, ws in rows:
        i = int((hour - start).total_seconds() // 3600)
        w.state[i], w.dir[i] = state, np.nan if wd is None else wd
        w.speed[i] = np.nan if ws is None else ws
    return w


def classes_for(p: Place, emitter: direction.Emitter, w: Wind, start: datetime) -> tuple[np.ndarray, list[EmitterView]]:
    """Each hour's class for one place, with the view valid in that hour (kits that moved have several); hours in
    an indoor span or outside every span are `missing`."""
    n = w.dir.size
    out = np.full(n, "missing", dtype="<U9")
    views = []
    for s_from, s_to, lat, lon, indoor in p.spans:
        if lat is None or lon is None or indoor:
            continue
        a = max(0, int((s_from - start).total_seconds() // 3600)) if s_from > start else 0
        b = min(n, int(np.ceil((s_to - start).total_seconds() / 3600))) if s_to < start + timedelta(hours=n) else n
        if b <= a:
            continue
        view = direction.view_of(lat, lon, emitter)
        views.append(view)
        out[a:b] = direction.classify_hours(w.dir[a:b], w.state[a:b], w.speed[a:b], view)
    return out, views


def view_json(emitter: direction.Emitter, view: EmitterView) -> dict:
    return {
        "id": emitter.id,
        "name": emitter.name,
        "bearing_deg": view.bearing_deg,
        "distance_km": view.distance_km,
        "span_from_deg": view.span_from_deg,
        "span_to_deg": view.span_to_deg,
        "downwind_from_deg": view.downwind_from_deg,
        "downwind_to_deg": view.downwind_to_deg,
        "inside": view.inside,
        "adjacent": view.adjacent,
        "rule": view.rule,
    }


def _current_views(p: Place, emitters: list[direction.Emitter]) -> list[dict]:
    lat, lon = p.current
    return [view_json(e, direction.view_of(lat, lon, e)) for e in emitters]


async def _values(conn, p: Place, quantity: str, start, end, n) -> np.ndarray:
    rows = await q.hourly(conn, p.kind, p.db_id, quantity, start, end)
    return _on_grid(rows, np.arange(n), start)


def in_area(p: Place, emitters: list[direction.Emitter]) -> bool:
    """A background place: within background.AREA_KM of an emitter's centre (where it stands now)."""
    lat, lon = p.current
    return lat is not None and any(
        direction.distance_km(lat, lon, e.centre_lat, e.centre_lon) <= background.AREA_KM for e in emitters
    )


async def _regional(conn, p: Place, quantity, start, end, w: Wind, emitter: direction.Emitter) -> np.ndarray:
    """Hour by hour, the median of the other places of the area not downwind of the emitter: from the stored
    central order statistics (computed first where missing or unsettled), without the place's own value."""
    await ensure_days(conn, emitter, quantity, w.station, start, end)
    n = w.dir.size
    m, s3 = np.zeros(n, dtype=int), np.full((n, 3), np.nan)
    for hour, count, lo, mid, hi in await q.background_hours(conn, emitter.id, quantity, w.station, exposure.METHOD,
                                                               start, end):  # fmt: skip
        i = int((hour - start).total_seconds() // 3600)
        m[i], s3[i] = count, (_nan(lo), _nan(mid), _nan(hi))
    own = await _values(conn, p, quantity, start, end, n)
    usable = in_area(p, [emitter]) & (classes_for(p, emitter, w, start)[0] != "downwind")
    return background.background_from_stats(m, s3, np.where(usable, own, np.nan))


def _nan(x) -> float:
    return np.nan if x is None else x


async def direction_analysis(conn: AsyncConnection, ref: str, quantity: str, start: datetime, end: datetime,
                             sectors: int, edges: list[float], percentile: float, weather_station: str,
                             bg: str, emitter_ids: list[str] | None = None) -> tuple[dict, list[dict]]:  # fmt: skip
    p = await place(conn, ref)
    emitters = emitter_list(emitter_ids)
    n = len(_hour_index(start, end))
    w = await wind(conn, weather_station, start, end, n)
    v = await _values(conn, p, quantity, start, end, n)
    no_background = None
    if bg == "regional":
        b = await _regional(conn, p, quantity, start, end, w, emitters[0])
        no_background = int((~np.isnan(v) & np.isnan(b)).sum())
        v = v - b
    r = roses.rose(v, w.dir, w.state, w.speed, sectors, edges, percentile)
    meta = {
        "method": direction.METHOD,
        "place": p.ref,
        "name": p.name,
        "quantity": quantity,
        "sectors": sectors,
        "sector_width_deg": 360 / sectors,
        "percentile": percentile,
        "threshold": r.threshold,
        "weather_station": weather_station,
        "background": bg,
        "hours_without_background": no_background,
        "hours": r.hours,
        "calm": r.calm,
        "variable": r.variable,
        "missing_wind_hours": r.missing_wind_hours,
        "emitters": _current_views(p, emitters),
        "position_source": p.position_source,
    }
    return meta, r.rows


def _day_index(n: int) -> np.ndarray:
    return np.arange(n) // 24


async def exposure_analysis(conn: AsyncConnection, ref: str, quantity: str, start: datetime, end: datetime,
                            weather_station: str, edges: list[float], emitter_ids: list[str] | None = None,
                            bg: str = "regional") -> tuple[dict, list[dict]]:  # fmt: skip
    p = await place(conn, ref)
    emitters = emitter_list(emitter_ids)
    n = len(_hour_index(start, end))
    w = await wind(conn, weather_station, start, end, n)
    raw = await _values(conn, p, quantity, start, end, n)
    days = (n + 23) // 24
    results = []
    no_background = 0
    for e in emitters:
        v = raw
        if bg == "regional":  # each emitter its own background: the places not downwind of it
            b = await _regional(conn, p, quantity, start, end, w, e)
            no_background = max(no_background, int((~np.isnan(raw) & np.isnan(b)).sum()))
            v = raw - b
        classes, _ = classes_for(p, e, w, start)
        for row in exposure.exposure_rows(v, classes, w.speed, _day_index(n), days, edges):
            results.append({"emitter": e.id, **row})
    meta = {
        "method": exposure.METHOD,
        "direction_method": direction.METHOD,
        "place": p.ref,
        "name": p.name,
        "quantity": quantity,
        "weather_station": weather_station,
        "background": bg,
        "hours_without_background": no_background if bg == "regional" else None,
        "hours": int((~np.isnan(raw)).sum()),
        "interval": {
            "level": exposure.LEVEL,
            "bootstrap": "days",
            "resamples": exposure.BOOTSTRAP_RESAMPLES,
            "seed": exposure.SEED,
        },
        "emitters": _current_views(p, emitters),
        "position_source": p.position_source,
    }
    return meta, results


# --- the map layer --------------------------------------------------------------------------------------------------


def _days(start: datetime, end: datetime) -> tuple[date, date]:
    d0 = start.astimezone(UTC).date()
    d1 = (end.astimezone(UTC) - timedelta(microseconds=1)).date() + timedelta(days=1)
    return d0, d1


async def refresh_map_days(conn: AsyncConnection, emitter: direction.Emitter, quantity: str, weather_station: str,
                           days: list[date], places: list[Place] | None = None) -> int:  # fmt: skip
    """Compute and store the per-day sums of every located place for `days` (consecutive runs read together)."""
    places = [p for p in (places or await all_places(conn)) if p.located]
    by_ref = {p.ref: p for p in places}
    stored = 0
    for run in _runs(sorted(days)):
        start = datetime.combine(run[0], datetime.min.time(), UTC)
        end = datetime.combine(run[-1] + timedelta(days=1), datetime.min.time(), UTC)
        n = len(_hour_index(start, end))
        w = await wind(conn, weather_station, start, end, n)
        values: dict[str, list] = {}
        for ref, hour, value in await q.all_hourly(conn, quantity, start, end):
            values.setdefault(ref, []).append((hour, value))
        refs = [ref for ref in values if ref in by_ref]
        grid = np.arange(n)
        vals = np.column_stack([_on_grid(values[r], grid, start) for r in refs]) if refs else np.zeros((n, 0))
        classes = [classes_for(by_ref[r], emitter, w, start)[0] for r in refs]
        down = np.column_stack([c == "downwind" for c in classes]) if refs else np.zeros((n, 0), bool)
        outside = np.array([not in_area(by_ref[r], [emitter]) for r in refs], dtype=bool)
        usable = np.where(down | outside[None, :], np.nan, vals)
        m, s3 = background.central_order_stats(usable)
        hours = [start + timedelta(hours=int(i)) for i in range(n)]
        bg_rows = [
            (hours[i], int(m[i]), *(None if np.isnan(x) else float(x) for x in s3[i])) for i in np.flatnonzero(m > 0)
        ]
        rows = []
        day_of_hour = _day_index(n)
        for j, ref in enumerate(refs):
            v = vals[:, j] - background.background_from_stats(m, s3, usable[:, j])
            s = exposure.daily_sums(v, classes[j], day_of_hour, len(run))
            missing = np.bincount(day_of_hour[~np.isnan(v) & (classes[j] == "missing")], minlength=len(run))
            for i in np.flatnonzero((s.down_n[0] + s.other_n[0] + missing) > 0):
                rows.append((ref, run[i], float(s.down_sum[0, i]), int(s.down_n[0, i]), float(s.other_sum[0, i]),
                             int(s.other_n[0, i]), int(missing[i])))  # fmt: skip
        await q.store_daily(conn, emitter.id, quantity, weather_station, exposure.METHOD, run, rows, bg_rows, start,
                            end)  # fmt: skip
        stored += len(rows)
    return stored


async def ensure_days(conn: AsyncConnection, emitter: direction.Emitter, quantity: str, weather_station: str,
                      start: datetime, end: datetime, places: list[Place] | None = None,
                      now: datetime | None = None) -> list[date]:  # fmt: skip
    """Compute the per-day sums and hourly background of the days of [start, end) not yet computed, or computed
    before they settled; returns those days."""
    now = now or datetime.now(UTC)
    d0, d1 = _days(start, end)
    done = await q.days_done(conn, emitter.id, quantity, weather_station, exposure.METHOD, d0, d1)
    wanted = [d0 + timedelta(days=i) for i in range((d1 - d0).days)]
    stale = [d for d in wanted if d <= now.date() and (d not in done or done[d] < _settled(d))]
    if stale:
        await refresh_map_days(conn, emitter, quantity, weather_station, stale, places)
    return stale


def _settled(day: date) -> datetime:
    """When a day's sums stop changing: RECOMPUTE_WITHIN after its end (late data and wind come in by then)."""
    return datetime.combine(day, datetime.min.time(), UTC) + timedelta(days=1) + RECOMPUTE_WITHIN


def _runs(days: list[date]) -> list[list[date]]:
    runs: list[list[date]] = []
    for d in days:
        if runs and (d - runs[-1][-1]).days == 1 and len(runs[-1]) < 31:
            runs[-1].append(d)
        else:
            runs.append([d])
    return runs


async def exposure_map(conn: AsyncConnection, emitter_id: str, quantity: str, start: datetime, end: datetime,
                       weather_station: str, now: datetime | None = None) -> tuple[dict, list[dict]]:  # fmt: skip
    """Every located kit and station: downwind share and increment with its interval, from the per-day sums.

    Whole UTC days: start and end are widened to the days they touch."""
    emitter = emitter_list([emitter_id])[0]
    if not await q.weather_station_exists(conn, weather_station):
        raise AnalysisError(404, f"no weather station {weather_station!r}; see /v1/weather")
    d0, d1 = _days(start, end)
    places = await all_places(conn)
    stale = await ensure_days(conn, emitter, quantity, weather_station, start, end, places, now)
    rows = await q.daily_sums(conn, emitter.id, quantity, weather_station, exposure.METHOD, d0, d1)
    days = (d1 - d0).days
    located = {p.ref: p for p in places if p.located}
    rows = [r for r in rows if r[0] in located]
    sums = exposure.DailySums(*(np.zeros((len(rows), days)) for _ in range(4)))
    for i, (_, idx, ds, dn, os_, on, *_rest) in enumerate(rows):
        ix = np.asarray(idx, dtype=int)
        sums.down_sum[i, ix], sums.down_n[i, ix] = ds, dn
        sums.other_sum[i, ix], sums.other_n[i, ix] = os_, on
    inc = exposure.increments(sums) if rows else {}
    results = []
    for i, (ref, *_, hours, down, known) in enumerate(rows):
        p = located[ref]
        lat, lon = p.current
        results.append({
            "place": ref, "kind": "station" if p.kind == "station" else "kit", "name": p.name, "lat": lat, "lon": lon,
            "hours": int(hours), "downwind_hours": int(down),
            "downwind_share": float(down / known) if known else None,
            **{k: _num(inc[k][i]) for k in ("mean_downwind", "mean_otherwise", "increment", "increment_low",
                                           "increment_high")},
        })  # fmt: skip
    left_out = [{"place": p.ref, "reason": f"no known position ({p.position_source or 'none stored'})"}
                for p in places if not p.located and p.kind != "kit"]  # fmt: skip
    meta = {
        "method": exposure.METHOD,
        "direction_method": direction.METHOD,
        "emitter": view_json_base(emitter),
        "quantity": quantity,
        "weather_station": weather_station,
        "background": "regional",
        "start": datetime.combine(d0, datetime.min.time(), UTC),
        "end": datetime.combine(d1, datetime.min.time(), UTC),
        "days_computed_now": len(stale),
        "interval": {
            "level": exposure.LEVEL,
            "bootstrap": "days",
            "resamples": exposure.BOOTSTRAP_RESAMPLES,
            "seed": exposure.SEED,
        },
        "left_out": left_out,
    }
    return meta, results


def view_json_base(emitter: direction.Emitter) -> dict:
    return {"id": emitter.id, "name": emitter.name, "centre": {"lat": emitter.centre_lat, "lon": emitter.centre_lon}}


def _num(x) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)
