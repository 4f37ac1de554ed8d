-- Schema v1: kits, the readings hypertable, the latest reading per kit, rejected messages.
-- Runs on the Apache edition of TimescaleDB (hypertables and time_bucket only).

CREATE EXTENSION IF NOT EXISTS timescaledb;

CREATE TABLE kits (
    kit_id        text PRIMARY KEY CHECK (kit_id ~ '^[a-z0-9][a-z0-9-]{2,31}$'),
    name          text NOT NULL DEFAULT '',
    lat           double precision CHECK (lat BETWEEN -90 AND 90),
    lon           double precision CHECK (lon BETWEEN -180 AND 180),
    municipality  text,
    indoor        boolean NOT NULL DEFAULT false,
    public        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- kept up to date from the kit's status and info topics
    online        boolean,
    last_seen     timestamptz,
    firmware      text,
    sensors       text[],
    boot_count    integer,
    info          jsonb
);

-- One row per kit and moment. Quantities are nullable: a kit may lack a sensor.
-- real (float4) holds sensor values to far better than their accuracy and halves the row size.
CREATE TABLE readings (
    time         timestamptz NOT NULL,
    kit_id       text        NOT NULL REFERENCES kits (kit_id),
    pm1          real,
    pm25         real,
    pm10         real,
    t            real,
    rh           real,
    p            real,
    flags        integer     NOT NULL DEFAULT 0,   -- quality flag bitmask, docs/quality.md
    seq          bigint,                           -- sequence number of the message that carried it
    received_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT readings_kit_time_key UNIQUE (kit_id, time)
);

-- 30-day chunks: a kit at 60 s gives ~43k rows a month; even 10,000 kits keep a chunk's index well inside memory.
SELECT create_hypertable('readings', by_range('time', INTERVAL '30 days'));

-- What the map shows: the newest reading of each kit, written in the same transaction as the readings.
CREATE TABLE latest_readings (
    kit_id       text PRIMARY KEY REFERENCES kits (kit_id),
    time         timestamptz NOT NULL,
    pm1          real,
    pm25         real,
    pm10         real,
    t            real,
    rh           real,
    p            real,
    flags        integer     NOT NULL DEFAULT 0,
    received_at  timestamptz NOT NULL DEFAULT now()
);

-- Messages (or single readings) that failed validation, with the reason in words.
CREATE TABLE rejects (
    id           bigserial PRIMARY KEY,
    received_at  timestamptz NOT NULL DEFAULT now(),
    topic        text NOT NULL,
    kit_id       text,
    reason       text NOT NULL,
    excerpt      text NOT NULL
);
CREATE INDEX rejects_received_at_idx ON rejects (received_at DESC);
