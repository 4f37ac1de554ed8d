-- Each mark of a pending (kit, hour) bumps its version. A rollup refresh deletes a mark only if its version is
-- still the one it read before recomputing, so readings committed during a refresh always leave their hour
-- pending, and ingest never waits for a refresh (ingest/rollups.py).
ALTER TABLE rollup_pending ADD COLUMN version bigint NOT NULL DEFAULT 0;
