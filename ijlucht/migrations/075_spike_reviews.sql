-- The spike review (ingest/spike_review.py, quality method 2): after ingest, a kit-hour with spike-flagged readings
-- is judged again against its neighbours (kits and reference stations within a few km). If they rose with it, the
-- rise was air, not a fault, and the spike flag of that hour's readings is cleared (values are never changed).
-- Neighbours' data may come later, so an hour is reviewed again for a while; one row per kit-hour says when and
-- under which quality method version it was last reviewed, and what came out.
CREATE TABLE spike_reviews (
    kit_id             text NOT NULL,
    hour               timestamptz NOT NULL CHECK (extract(epoch FROM hour)::bigint % 3600 = 0),
    method_version     text NOT NULL,                     -- ijlucht.quality.METHOD_VERSION of the review
    first_reviewed_at  timestamptz NOT NULL DEFAULT now(),
    reviewed_at        timestamptz NOT NULL DEFAULT now(),
    cleared            integer NOT NULL DEFAULT 0 CHECK (cleared >= 0),  -- readings whose spike flag was cleared
    confirmed_by       text[] NOT NULL DEFAULT '{}',      -- places that rose with it: kit:<id>, station:<id>
    PRIMARY KEY (kit_id, hour)
);

-- The review's work list: hourly rollups with spike-flagged PM2.5 readings (few, so the index stays small).
CREATE INDEX rollup_hourly_spike_idx ON rollup_hourly (bucket, kit_id) WHERE flag_counts[2] > 0 AND quantity = 'pm25';
