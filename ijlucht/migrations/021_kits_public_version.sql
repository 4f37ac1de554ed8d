-- A counter that moves whenever a kit's public, rarely changing attributes change (name, area, public position,
-- indoor, public) or kits come or go. The map endpoint keeps those attributes in memory and re-reads them only
-- when the counter moved; status updates of the ingest worker (online, last_seen, firmware) do not touch it.

CREATE TABLE kits_public_version (
    id       boolean PRIMARY KEY DEFAULT true CHECK (id),
    version  bigint NOT NULL
);
INSERT INTO kits_public_version (version) VALUES (1);

CREATE FUNCTION bump_kits_public_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE kits_public_version SET version = version + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER kits_public_changed
AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF name, municipality, district, public_lat, public_lon, indoor, public
ON kits FOR EACH STATEMENT EXECUTE FUNCTION bump_kits_public_version();
