"""Keeps the 10-minute, hourly and daily rollups right, including when late or backfilled readings arrive.

store_batch marks each (kit, hour) it wrote in rollup_pending; refresh_rollups recomputes those hours' buckets
from the raw readings (and the days around them from the hourly rollups), so a rollup is always the aggregate
of exactly the stored readings, however late they came. Each bucket aggregates all values and, apart, the clean
ones (readings without a quality.UNCLEAN flag), which the public figures use. Several workers may call it; one
refreshes at a time (advisory lock), and ingest never waits for a refresh (see the comments on the statements).
"""

import psycopg

from ijlucht import quality
from ijlucht.quantities import KEYS

PENDING_PER_ROUND = 2000  # (kit, hour) pairs per round

_VALUES = ", ".join(f"('{k}', r.{k})" for k in KEYS)

# One count per quality flag, in quality.NAMES order (migration 030): readings of the bucket carrying that bit.
_BITS = tuple(quality.NAMES)
_FLAG_COUNTS = "ARRAY[" + ", ".join(f"count(*) FILTER (WHERE r.flags & {bit} <> 0)" for bit in _BITS) + "]::integer[]"
_FLAG_SUMS = "ARRAY[" + ", ".join(f"sum(h.flag_counts[{i + 1}])" for i in range(len(_BITS))) + "]::integer[]"

# Each bucket keeps two aggregates: of all values, and of the clean ones (readings without a flag of
# quality.UNCLEAN, passed as %(unclean)s); public figures use the clean one (docs/quality.md).
_FROM_READINGS = f"""
INSERT INTO {{table}} (bucket, kit_id, quantity, n, n_flagged, mean, min, max,
                       n_clean, clean_mean, clean_min, clean_max, flag_counts)
SELECT {{bucket}} AS bucket, r.kit_id, q.quantity, count(*), count(*) FILTER (WHERE r.flags <> 0),
       avg(q.v), min(q.v), max(q.v), count(*) FILTER (WHERE c.clean), avg(q.v) FILTER (WHERE c.clean),
       min(q.v) FILTER (WHERE c.clean), max(q.v) FILTER (WHERE c.clean), {_FLAG_COUNTS}
FROM unnest(%(kits)s::text[], %(hours)s::timestamptz[]) AS p(kit_id, hour)
JOIN readings r ON r.kit_id = p.kit_id AND r.time >= p.hour AND r.time < p.hour + INTERVAL '1 hour'
CROSS JOIN LATERAL (VALUES (r.flags & %(unclean)s = 0)) AS c(clean)
CROSS JOIN LATERAL (VALUES {_VALUES}) AS q(quantity, v)
WHERE q.v IS NOT NULL
GROUP BY 1, 2, 3
ON CONFLICT (kit_id, quantity, bucket) DO UPDATE SET
    n = excluded.n, n_flagged = excluded.n_flagged, mean = excluded.mean, min = excluded.min, max = excluded.max,
    n_clean = excluded.n_clean, clean_mean = excluded.clean_mean, clean_min = excluded.clean_min,
    clean_max = excluded.clean_max, flag_counts = excluded.flag_counts
"""

_DAILY_FROM_HOURLY = f"""
WITH days AS (
    SELECT DISTINCT p.kit_id, time_bucket('1 day', p.hour, 'Europe/Amsterdam') AS day
    FROM unnest(%(kits)s::text[], %(hours)s::timestamptz[]) AS p(kit_id, hour)
)
INSERT INTO rollup_daily (bucket, kit_id, quantity, n, n_flagged, mean, min, max,
                          n_clean, clean_mean, clean_min, clean_max, flag_counts)
SELECT d.day, h.kit_id, h.quantity, sum(h.n), sum(h.n_flagged), sum(h.mean * h.n) / sum(h.n), min(h.min), max(h.max),
       sum(h.n_clean), sum(h.clean_mean * h.n_clean) / nullif(sum(h.n_clean), 0), min(h.clean_min), max(h.clean_max),
       {_FLAG_SUMS}
FROM days d
JOIN rollup_hourly h ON h.kit_id = d.kit_id AND h.bucket >= d.day
     AND h.bucket < (d.day AT TIME ZONE 'Europe/Amsterdam' + INTERVAL '1 day') AT TIME ZONE 'Europe/Amsterdam'
GROUP BY d.day, h.kit_id, h.quantity
ON CONFLICT (kit_id, quantity, bucket) DO UPDATE SET
    n = excluded.n, n_flagged = excluded.n_flagged, mean = excluded.mean, min = excluded.min, max = excluded.max,
    n_clean = excluded.n_clean, clean_mean = excluded.clean_mean, clean_min = excluded.clean_min,
    clean_max = excluded.clean_max, flag_counts = excluded.flag_counts
"""

# Marks are taken without holding them: rows locked by a batch that has not committed are skipped.
_TAKE_PENDING = """
SELECT kit_id, hour, version FROM rollup_pending ORDER BY hour LIMIT %s FOR UPDATE SKIP LOCKED
"""

# A mark goes only if no batch marked it again since it was taken (same version) and none holds it now.
_DONE = """
DELETE FROM rollup_pending WHERE (kit_id, hour) IN (
    SELECT p.kit_id, p.hour FROM rollup_pending p
    JOIN unnest(%(kits)s::text[], %(hours)s::timestamptz[], %(versions)s::bigint[]) AS d(kit_id, hour, version)
      ON p.kit_id = d.kit_id AND p.hour = d.hour AND p.version = d.version
    FOR UPDATE OF p SKIP LOCKED)
"""

# Every batch marks the hours it wrote, in one lock order for all workers. The version bump locks the mark until
# the batch commits, which is what lets a refresh tell that the hour's readings are not all visible yet.
MARK_PENDING = """
INSERT INTO rollup_pending (kit_id, hour)
SELECT DISTINCT kit_id, time_bucket('1 hour', to_timestamp(ts)) FROM staging_readings ORDER BY 1, 2
ON CONFLICT (kit_id, hour) DO UPDATE SET version = rollup_pending.version + 1
"""

_REFRESH_LOCK = 0x494A_5255  # advisory lock key ("IJRU"): one refresher at a time, so no older result wins


def refresh_rollups(conn: psycopg.Connection, limit: int = PENDING_PER_ROUND) -> int:
    """Recompute the rollups of up to `limit` pending hours; returns how many were taken (0: none pending).
    Waits while another worker refreshes. `conn` must be in autocommit mode: the steps are separate transactions."""
    conn.execute("SELECT pg_advisory_lock(%s)", (_REFRESH_LOCK,))
    try:
        pending = conn.execute(_TAKE_PENDING, (limit,)).fetchall()
        if not pending:
            return 0
        params = {"kits": [p[0] for p in pending], "hours": [p[1] for p in pending], "unclean": quality.UNCLEAN}
        with conn.transaction():  # readings committed before this point are all counted
            conn.execute(
                _FROM_READINGS.format(table="rollup_10min", bucket="time_bucket('10 minutes', r.time)"), params
            )
            conn.execute(_FROM_READINGS.format(table="rollup_hourly", bucket="p.hour"), params)
            conn.execute(_DAILY_FROM_HOURLY, params)
        conn.execute(_DONE, {**params, "versions": [p[2] for p in pending]})
        return len(pending)
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_REFRESH_LOCK,))
