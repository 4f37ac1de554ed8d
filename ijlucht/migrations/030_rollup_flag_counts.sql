-- Per-flag counts in the rollups: how many of a bucket's readings (those with a value of the quantity) carry each
-- quality flag, so hourly and daily rows can say why values were flagged (docs/quality.md).
--   flag_counts  integer[8]: element i (1-based) counts readings with bit i-1 set (ijlucht.quality.NAMES order:
--                out_of_range, spike, flatline, high_humidity, pm25_above_pm10, clock_not_synced, backfilled,
--                warm_up). A reading with several flags counts once under each.
-- Computed by ingest/rollups.py from the readings (10 minutes, hours) and from the hourly rows (days).
--
-- Existing rows: a bucket without flagged readings has all counts 0; one with flagged readings cannot be split
-- here, so its counts stay NULL and its hour is marked in rollup_pending: the worker recomputes it (with its
-- 10-minute buckets and its day).

ALTER TABLE rollup_10min ADD COLUMN flag_counts integer[];
ALTER TABLE rollup_hourly ADD COLUMN flag_counts integer[];
ALTER TABLE rollup_daily ADD COLUMN flag_counts integer[];

UPDATE rollup_10min SET flag_counts = '{0,0,0,0,0,0,0,0}' WHERE n_flagged = 0;
UPDATE rollup_hourly SET flag_counts = '{0,0,0,0,0,0,0,0}' WHERE n_flagged = 0;
UPDATE rollup_daily SET flag_counts = '{0,0,0,0,0,0,0,0}' WHERE n_flagged = 0;

INSERT INTO rollup_pending (kit_id, hour)
SELECT DISTINCT kit_id, bucket FROM rollup_hourly WHERE n_flagged > 0
ON CONFLICT (kit_id, hour) DO UPDATE SET version = rollup_pending.version + 1;
