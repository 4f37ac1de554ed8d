-- Per-day exposure sums behind the map layer /v1/exposure/map (issue 16; api/attribution.py), packed one row per
-- place and calendar month (arrays indexed by day of the month, 1 = the 1st), so a year of 1,000 kits is 12,000
-- rows read in one index range. For each emitter, quantity, weather station and method version: per place and day,
-- the sum and count of the downwind hours and of the other hours with known wind (values minus the regional
-- background), and how many hours had no wind. Derived data, never raw: recomputed from the hourly values whenever
-- a day is asked for again while it may still change (docs/science.md, "Exposure map"). The Apache TimescaleDB
-- build has no continuous aggregates, so this is a table kept by the API.
CREATE TABLE exposure_monthly (
    emitter          text NOT NULL,
    quantity         text NOT NULL,
    weather_station  text NOT NULL,
    method           text NOT NULL,
    month            date NOT NULL CHECK (extract(day FROM month) = 1),   -- days are 24 h from 00:00 UTC
    place            text NOT NULL,                                      -- station:NL49553 | kit:<kit_id>
    down_sum         double precision[] NOT NULL,
    down_n           integer[] NOT NULL,
    other_sum        double precision[] NOT NULL,
    other_n          integer[] NOT NULL,
    missing_n        integer[] NOT NULL,
    PRIMARY KEY (emitter, quantity, weather_station, method, month, place)
);

-- Which days are computed, and when (a day computed before it settled is computed again).
CREATE TABLE exposure_days (
    emitter          text NOT NULL,
    quantity         text NOT NULL,
    weather_station  text NOT NULL,
    method           text NOT NULL,
    day              date NOT NULL,
    computed_at      timestamptz NOT NULL,
    PRIMARY KEY (emitter, quantity, weather_station, method, day)
);
