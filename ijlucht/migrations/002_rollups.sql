-- Rollups: per kit and quantity, over 10 minutes, an hour and a (local) day: count, mean, min, max and how many
-- of the readings carried a quality flag. Kept by the ingest worker (ingest/rollups.py), also when late or
-- backfilled data arrive: every stored batch marks its (kit, hour) pairs in rollup_pending, and the worker
-- recomputes those buckets from the raw readings. Works on the Apache edition (no continuous aggregates).
--
-- Buckets are the start of the period; days are calendar days in Europe/Amsterdam (what residents and the WHO
-- 24-hour guideline mean by a day), 10-minute and hourly buckets are UTC-aligned (identical in any zone that
-- is offset by whole hours).

CREATE TABLE rollup_10min (
    bucket     timestamptz NOT NULL,
    kit_id     text        NOT NULL REFERENCES kits (kit_id),
    quantity   text        NOT NULL,
    n          integer     NOT NULL,   -- readings with a value
    n_flagged  integer     NOT NULL,   -- of those, readings with any quality flag
    mean       double precision NOT NULL,
    min        real        NOT NULL,
    max        real        NOT NULL,
    PRIMARY KEY (kit_id, quantity, bucket)
);
SELECT create_hypertable('rollup_10min', by_range('bucket', INTERVAL '180 days'));

CREATE TABLE rollup_hourly (LIKE rollup_10min INCLUDING ALL);
ALTER TABLE rollup_hourly ADD FOREIGN KEY (kit_id) REFERENCES kits (kit_id);
SELECT create_hypertable('rollup_hourly', by_range('bucket', INTERVAL '2 years'));

CREATE TABLE rollup_daily (LIKE rollup_10min INCLUDING ALL);
ALTER TABLE rollup_daily ADD FOREIGN KEY (kit_id) REFERENCES kits (kit_id);

-- Hours whose rollups must be recomputed; filled in the same transaction as the readings.
CREATE TABLE rollup_pending (
    kit_id  text        NOT NULL,
    hour    timestamptz NOT NULL,
    PRIMARY KEY (kit_id, hour)
);
