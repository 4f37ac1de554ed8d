-- Reference stations, weather, kits of other networks and calibrations (issue 15).
-- Every `hour` column is the START of the hour in UTC; importers convert each source's own label
-- (ingest/sources/*.py says which convention each source uses and where that is documented).

CREATE TABLE reference_stations (
    station_id  text PRIMARY KEY CHECK (station_id ~ '^[A-Z]{2}[0-9]{5}$'),   -- Luchtmeetnet number, e.g. NL49570
    name        text NOT NULL DEFAULT '',
    lat         double precision CHECK (lat BETWEEN -90 AND 90),
    lon         double precision CHECK (lon BETWEEN -180 AND 180),
    operator    text NOT NULL DEFAULT 'luchtmeetnet',
    components  text[] NOT NULL DEFAULT '{}'                                   -- formulas seen: PM25, PM10, NO2, ...
);

-- Official hourly values; never clipped (reference PM can be slightly negative near zero).
CREATE TABLE reference_hourly (
    station_id  text NOT NULL REFERENCES reference_stations (station_id),
    component   text NOT NULL CHECK (component ~ '^[A-Z0-9]{1,12}$'),
    hour        timestamptz NOT NULL CHECK (extract(epoch FROM hour)::bigint % 3600 = 0),
    value       double precision NOT NULL,
    PRIMARY KEY (station_id, component, hour)
);
SELECT create_hypertable('reference_hourly', by_range('hour', INTERVAL '365 days'));

CREATE TABLE weather_stations (
    station_id  text PRIMARY KEY CHECK (station_id ~ '^[0-9]{3}$'),             -- KNMI station number, e.g. 225
    name        text NOT NULL DEFAULT '',
    lat         double precision CHECK (lat BETWEEN -90 AND 90),
    lon         double precision CHECK (lon BETWEEN -180 AND 180)
);

-- Wind direction is where the wind comes FROM. Calm and variable are states, not directions: wind_dir is then null.
CREATE TABLE weather_hourly (
    station_id   text NOT NULL REFERENCES weather_stations (station_id),
    hour         timestamptz NOT NULL CHECK (extract(epoch FROM hour)::bigint % 3600 = 0),
    wind_state   text CHECK (wind_state IN ('direction', 'calm', 'variable')),
    wind_dir     smallint CHECK (wind_dir BETWEEN 1 AND 360),
    wind_speed   real CHECK (wind_speed >= 0),                                  -- m/s, hourly mean
    temperature  real,                                                          -- °C
    humidity     real CHECK (humidity BETWEEN 0 AND 100),                       -- %
    PRIMARY KEY (station_id, hour),
    CHECK ((wind_state = 'direction') = (wind_dir IS NOT NULL))
);
SELECT create_hypertable('weather_hourly', by_range('hour', INTERVAL '365 days'));

-- Kits of other networks: a platform-valid id (same rule as kits.kit_id) and the network's own id, both kept.
CREATE TABLE external_kits (
    kit_id       text PRIMARY KEY CHECK (kit_id ~ '^[a-z0-9][a-z0-9-]{2,31}$'),
    source       text NOT NULL,
    external_id  text NOT NULL,
    lat          double precision CHECK (lat BETWEEN -90 AND 90),
    lon          double precision CHECK (lon BETWEEN -180 AND 180),
    UNIQUE (source, external_id)
);

-- Their hourly history, apart from `readings` so rollups and the spike checker's history never see it.
CREATE TABLE external_hourly (
    kit_id  text NOT NULL REFERENCES external_kits (kit_id),
    hour    timestamptz NOT NULL CHECK (extract(epoch FROM hour)::bigint % 3600 = 0),
    pm25    real,
    pm10    real,
    t       real,
    rh      real,
    PRIMARY KEY (kit_id, hour)
);
SELECT create_hypertable('external_hourly', by_range('hour', INTERVAL '365 days'));

-- A calibration is a record, never overwritten: a refit adds a row. `valid` false keeps the reason why.
CREATE TABLE calibrations (
    id            bigserial PRIMARY KEY,
    kit_id        text NOT NULL,
    station_id    text NOT NULL REFERENCES reference_stations (station_id),
    method        text NOT NULL,                  -- e.g. kohler-linear-v1 (ijlucht/science/calibration.py)
    period_start  timestamptz NOT NULL,
    period_end    timestamptz NOT NULL,
    n             integer NOT NULL CHECK (n >= 0),
    coefficients  jsonb,
    metrics       jsonb NOT NULL,                 -- {"raw": {...}, "humidity": {...}, "cv": {...}}
    valid         boolean NOT NULL,
    reason        text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (valid OR reason IS NOT NULL)
);
CREATE INDEX calibrations_kit_idx ON calibrations (kit_id, created_at DESC);

-- Where each live sync stands: the last hour stored per source and series, so a restart resumes there.
CREATE TABLE sync_state (
    source      text NOT NULL,
    series      text NOT NULL,
    done_until  timestamptz,
    last_ok     timestamptz,
    last_error  text,
    PRIMARY KEY (source, series)
);
