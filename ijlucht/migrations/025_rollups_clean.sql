-- Clean aggregates next to the raw ones: public figures leave out readings with an unclean quality flag
-- (ijlucht.quality.UNCLEAN; docs/quality.md), so one kit sending nonsense cannot move an area's mean.
--   n_clean                          of the n values, those whose reading carries no unclean flag
--   clean_mean, clean_min, clean_max over those; NULL when n_clean = 0
-- The raw columns (n, n_flagged, mean, min, max) are unchanged: they keep aggregating every stored value.
--
-- Existing rows: a bucket without any flagged reading is clean throughout, so its clean columns equal its raw
-- ones. A bucket with flagged readings cannot be split here (which flags are unclean is defined in Python), so
-- it starts with nothing clean, and its hour is marked in rollup_pending: the ingest worker recomputes it, and
-- its 10-minute buckets and its day, with the current definition.

ALTER TABLE rollup_10min ADD COLUMN n_clean integer, ADD COLUMN clean_mean double precision,
    ADD COLUMN clean_min real, ADD COLUMN clean_max real;
ALTER TABLE rollup_hourly ADD COLUMN n_clean integer, ADD COLUMN clean_mean double precision,
    ADD COLUMN clean_min real, ADD COLUMN clean_max real;
ALTER TABLE rollup_daily ADD COLUMN n_clean integer, ADD COLUMN clean_mean double precision,
    ADD COLUMN clean_min real, ADD COLUMN clean_max real;

UPDATE rollup_10min SET n_clean = CASE WHEN n_flagged = 0 THEN n ELSE 0 END,
    clean_mean = CASE WHEN n_flagged = 0 THEN mean END, clean_min = CASE WHEN n_flagged = 0 THEN min END,
    clean_max = CASE WHEN n_flagged = 0 THEN max END;
UPDATE rollup_hourly SET n_clean = CASE WHEN n_flagged = 0 THEN n ELSE 0 END,
    clean_mean = CASE WHEN n_flagged = 0 THEN mean END, clean_min = CASE WHEN n_flagged = 0 THEN min END,
    clean_max = CASE WHEN n_flagged = 0 THEN max END;
UPDATE rollup_daily SET n_clean = CASE WHEN n_flagged = 0 THEN n ELSE 0 END,
    clean_mean = CASE WHEN n_flagged = 0 THEN mean END, clean_min = CASE WHEN n_flagged = 0 THEN min END,
    clean_max = CASE WHEN n_flagged = 0 THEN max END;

ALTER TABLE rollup_10min ALTER COLUMN n_clean SET NOT NULL;
ALTER TABLE rollup_hourly ALTER COLUMN n_clean SET NOT NULL;
ALTER TABLE rollup_daily ALTER COLUMN n_clean SET NOT NULL;

INSERT INTO rollup_pending (kit_id, hour)
SELECT DISTINCT kit_id, bucket FROM rollup_hourly WHERE n_flagged > 0
ON CONFLICT (kit_id, hour) DO UPDATE SET version = rollup_pending.version + 1;
