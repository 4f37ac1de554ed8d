-- Per-day exposure sums behind the map layer /v1/exposure/map (issue 16; api/attribution.py).
-- For each emitter, quantity, weather station and method version: per place and day, the sum and count of the
-- downwind hours and of the other hours with known wind (and how many hours had no wind). Derived data, never raw:
-- recomputed from the hourly values whenever a day is asked for again while it may still change (see
-- docs/science.md, "Exposure map"). The Apache TimescaleDB build has no continuous aggregates, so this is a table.
CREATE TABLE exposure_daily (
    emitter          text NOT NULL,
    quantity         text NOT NULL,
    weather_station  text NOT NULL,
    method           text NOT NULL,
    place            text NOT NULL,            -- station:NL49553 | kit:<kit_id>
    day              date NOT NULL,            -- 24 h from 00:00 UTC
    down_sum         double precision NOT NULL,
    down_n           integer NOT NULL,
    other_sum        double precision NOT NULL,
    other_n          integer NOT NULL,
    missing_n        integer NOT NULL,
    PRIMARY KEY (emitter, quantity, weather_station, method, day, place)
);

-- Which days are computed, and when (a day computed before it was over, or soon after, is computed again).
CREATE TABLE exposure_days (
    emitter          text NOT NULL,
    quantity         text NOT NULL,
    weather_station  text NOT NULL,
    method           text NOT NULL,
    day              date NOT NULL,
    computed_at      timestamptz NOT NULL,
    PRIMARY KEY (emitter, quantity, weather_station, method, day)
);
