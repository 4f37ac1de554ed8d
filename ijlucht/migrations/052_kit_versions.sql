-- Kit history (issue 14): where a kit stood, how high, indoors or out and with which sensors, each with the time
-- it became valid. A move adds a version and never overwrites one, so readings and area means of the past use the
-- place the kit had then (api/queries/stats.py joins kit_version_spans on the hour's time).
--
-- `kits` keeps the current values (what the map and the admin answers show); a trigger adds a version whenever
-- those values change, from any path (registration, ijlucht kits move, the sensors a kit reports in its info).
-- A move with a chosen time (ijlucht/kits.py move_kit) writes its version first; the trigger then finds it equal.
CREATE TABLE kit_versions (
    kit_id             text        NOT NULL REFERENCES kits (kit_id) ON DELETE CASCADE,
    valid_from         timestamptz NOT NULL,
    lat                double precision,   -- exact: private like kits.lat, removed when the owner deletes the kit
    lon                double precision,
    public_lat         double precision,
    public_lon         double precision,
    municipality       text,
    municipality_code  text,
    district_code      text,
    district           text,
    height_m           real,
    indoor             boolean     NOT NULL,
    sensors            text[],
    PRIMARY KEY (kit_id, valid_from)
);

INSERT INTO kit_versions
SELECT kit_id, created_at, lat, lon, public_lat, public_lon, municipality, municipality_code, district_code, district,
       height_m, indoor, sensors
FROM kits;

-- Each version with the time the next one took over (infinity for the current one). span_from is valid_from, but
-- -infinity for a kit's first version: an hour that began before the kit was registered belongs to it too.
CREATE VIEW kit_version_spans AS
SELECT v.*, lead(v.valid_from, 1, 'infinity') OVER w AS valid_to,
       CASE WHEN row_number() OVER w = 1 THEN '-infinity' ELSE v.valid_from END AS span_from
FROM kit_versions v
WINDOW w AS (PARTITION BY v.kit_id ORDER BY v.valid_from);

CREATE FUNCTION kits_add_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM (
            SELECT * FROM kit_versions WHERE kit_id = NEW.kit_id ORDER BY valid_from DESC LIMIT 1
        ) v
        WHERE v.lat IS NOT DISTINCT FROM NEW.lat AND v.lon IS NOT DISTINCT FROM NEW.lon
          AND v.public_lat IS NOT DISTINCT FROM NEW.public_lat AND v.public_lon IS NOT DISTINCT FROM NEW.public_lon
          AND v.municipality_code IS NOT DISTINCT FROM NEW.municipality_code
          AND v.district_code IS NOT DISTINCT FROM NEW.district_code
          AND v.height_m IS NOT DISTINCT FROM NEW.height_m AND v.indoor = NEW.indoor
          AND v.sensors IS NOT DISTINCT FROM NEW.sensors
    ) THEN
        RETURN NEW;
    END IF;
    INSERT INTO kit_versions
    VALUES (NEW.kit_id, CASE WHEN TG_OP = 'INSERT' THEN NEW.created_at ELSE now() END, NEW.lat, NEW.lon,
            NEW.public_lat, NEW.public_lon, NEW.municipality, NEW.municipality_code, NEW.district_code, NEW.district,
            NEW.height_m, NEW.indoor, NEW.sensors)
    ON CONFLICT (kit_id, valid_from) DO UPDATE
        SET lat = excluded.lat, lon = excluded.lon, public_lat = excluded.public_lat, public_lon = excluded.public_lon,
            municipality = excluded.municipality, municipality_code = excluded.municipality_code,
            district_code = excluded.district_code, district = excluded.district, height_m = excluded.height_m,
            indoor = excluded.indoor, sensors = excluded.sensors;
    RETURN NEW;
END
$$;

CREATE TRIGGER kits_versions AFTER INSERT OR UPDATE OF lat, lon, public_lat, public_lon, municipality_code,
    district_code, height_m, indoor, sensors ON kits
    FOR EACH ROW EXECUTE FUNCTION kits_add_version();
