"""The spike review: clears the spike flag of kit-hours whose rise neighbouring kits or stations saw too.

Runs in the ingest worker after each rollup refresh (and from `review_spikes` in tests and tools). The decision is
pure (ingest/corroboration.py); this module reads the hourly data around each flagged hour and writes the outcome:
readings' spike bits cleared (values untouched), their hour marked for a rollup refresh, and a row in
spike_reviews (migration 075) with the quality method version. Neighbours' data may arrive late, so an hour that
stayed flagged is looked at again every REVIEW_AGAIN_S for LATE_DATA_S after its first review.
"""

from datetime import datetime, timedelta

import pandas as pd
import psycopg

from ijlucht import quality
from ingest import corroboration

REVIEWS_PER_ROUND = 200
REVIEW_AGAIN_S = 300.0
LATE_DATA_S = 48 * 3600.0

_CANDIDATES = """
SELECT h.kit_id, h.bucket FROM rollup_hourly h
LEFT JOIN spike_reviews s ON s.kit_id = h.kit_id AND s.hour = h.bucket
WHERE h.flag_counts[2] > 0 AND h.quantity = 'pm25'
  AND (s.kit_id IS NULL OR s.method_version <> %(version)s
       OR (s.reviewed_at < now() - make_interval(secs => %(again)s)
           AND s.first_reviewed_at > now() - make_interval(secs => %(late)s)))
ORDER BY h.bucket LIMIT %(limit)s
"""

# Every located place that measures PM2.5 outdoors: our kits, other networks' kits, reference stations.
_PLACES = """
SELECT 'kit:' || kit_id, lat, lon FROM kits
 WHERE lat IS NOT NULL AND lon IS NOT NULL AND NOT indoor AND disabled_at IS NULL
UNION ALL
SELECT 'kit:' || kit_id, lat, lon FROM external_kits WHERE lat IS NOT NULL AND lon IS NOT NULL
UNION ALL
SELECT 'station:' || station_id, lat, lon FROM reference_stations
 WHERE lat IS NOT NULL AND lon IS NOT NULL AND 'PM25' = ANY (components)
"""

# Neighbours' hourly PM2.5: our kits' clean means (a stuck neighbour confirms nothing), the others as stored.
_NEIGHBOUR_HOURS = """
SELECT 'kit:' || kit_id, bucket, clean_mean FROM rollup_hourly
 WHERE quantity = 'pm25' AND kit_id = ANY (%(kits)s) AND bucket >= %(start)s AND bucket < %(end)s
UNION ALL
SELECT 'kit:' || kit_id, hour, pm25 FROM external_hourly
 WHERE kit_id = ANY (%(kits)s) AND hour >= %(start)s AND hour < %(end)s
UNION ALL
SELECT 'station:' || station_id, hour, value FROM reference_hourly
 WHERE component = 'PM25' AND station_id = ANY (%(stations)s) AND hour >= %(start)s AND hour < %(end)s
"""

_OWN_HOURS = """
SELECT bucket, mean, max FROM rollup_hourly
 WHERE quantity = 'pm25' AND kit_id = %(kit)s AND bucket >= %(start)s AND bucket < %(end)s
"""

_CLEAR = """
UPDATE readings SET flags = flags & ~%(spike)s
 WHERE kit_id = %(kit)s AND time >= %(hour)s AND time < %(hour)s + INTERVAL '1 hour' AND flags & %(spike)s <> 0
"""
_CLEAR_LATEST = """
UPDATE latest_readings SET flags = flags & ~%(spike)s
 WHERE kit_id = %(kit)s AND time >= %(hour)s AND time < %(hour)s + INTERVAL '1 hour' AND flags & %(spike)s <> 0
"""
_MARK = """
INSERT INTO rollup_pending (kit_id, hour) VALUES (%(kit)s, %(hour)s)
ON CONFLICT (kit_id, hour) DO UPDATE SET version = rollup_pending.version + 1
"""
_RECORD = """
INSERT INTO spike_reviews (kit_id, hour, method_version, cleared, confirmed_by)
VALUES (%(kit)s, %(hour)s, %(version)s, %(cleared)s, %(by)s)
ON CONFLICT (kit_id, hour) DO UPDATE SET method_version = excluded.method_version, reviewed_at = now(),
    cleared = spike_reviews.cleared + excluded.cleared, confirmed_by = excluded.confirmed_by
"""


def _decide(conn: psycopg.Connection, kit_id: str, hour: datetime, neighbours: list[str]) -> list[str]:
    """The neighbours that rose with the kit in `hour` (empty: the spike stands)."""
    if not neighbours:
        return []
    start = hour - timedelta(hours=corroboration.BASELINE_HOURS + corroboration.LAG_HOURS)
    end = hour + timedelta(hours=corroboration.LAG_HOURS + 1)
    window = pd.date_range(start, end, freq="h", inclusive="left")
    own = conn.execute(_OWN_HOURS, {"kit": kit_id, "start": start, "end": end}).fetchall()
    params = {
        "kits": [p.removeprefix("kit:") for p in neighbours if p.startswith("kit:")],
        "stations": [p.removeprefix("station:") for p in neighbours if p.startswith("station:")],
        "start": start,
        "end": end,
    }
    rows = conn.execute(_NEIGHBOUR_HOURS, params).fetchall()
    if not own or not rows:
        return []
    own_hours = pd.DataFrame(own, columns=["hour", "mean", "max"]).set_index("hour").reindex(window)
    hourly = pd.DataFrame(rows, columns=["place", "hour", "value"]).pivot_table(
        index="hour", columns="place", values="value", aggfunc="mean"
    )
    rises = corroboration.rises(hourly.reindex(window).astype(float))
    own_rise = corroboration.own_rises(own_hours["max"], own_hours["mean"])
    at = pd.Timestamp(hour)
    if not corroboration.confirmed_hours(own_rise, rises).get(at, False):
        return []
    return corroboration.confirming_places(own_rise, rises, at)


def review_spikes(conn: psycopg.Connection, limit: int = REVIEWS_PER_ROUND) -> int:
    """Review up to `limit` flagged kit-hours; returns how many were reviewed (0: nothing to do).
    `conn` must be in autocommit mode: each kit-hour is its own transaction."""
    version = quality.METHOD_VERSION
    todo = conn.execute(
        _CANDIDATES, {"version": version, "again": REVIEW_AGAIN_S, "late": LATE_DATA_S, "limit": limit}
    ).fetchall()
    if not todo:
        return 0
    places = {p: (float(lat), float(lon)) for p, lat, lon in conn.execute(_PLACES).fetchall()}
    for kit_id, hour in todo:
        confirmed_by = _decide(conn, kit_id, hour, corroboration.neighbours_of(f"kit:{kit_id}", places))
        args = {"kit": kit_id, "hour": hour, "spike": quality.SPIKE, "version": version, "by": confirmed_by}
        with conn.transaction():
            cleared = 0
            if confirmed_by:
                cleared = conn.execute(_CLEAR, args).rowcount
                conn.execute(_CLEAR_LATEST, args)
                conn.execute(_MARK, args)
            conn.execute(_RECORD, {**args, "cleared": cleared})
    return len(todo)
