-- API: public (jittered) positions, areas, owner contact and site metadata on kits; hashed API keys.
-- Exact position and owner stay in `kits`; public responses read only the public_* columns (docs: api/README.md).

ALTER TABLE kits
    ADD COLUMN public_lat            double precision CHECK (public_lat BETWEEN -90 AND 90),
    ADD COLUMN public_lon            double precision CHECK (public_lon BETWEEN -180 AND 180),
    ADD COLUMN exact_location_public boolean NOT NULL DEFAULT false,  -- owner opted in to the exact position
    ADD COLUMN municipality_code     text,   -- CBS code, e.g. GM0375 (data/geo/ijmond_gemeenten_2024.geojson)
    ADD COLUMN district_code         text,   -- CBS wijk code, e.g. WK037500 (data/geo/ijmond_wijken_2024.geojson)
    ADD COLUMN district              text,
    ADD COLUMN height_m              real CHECK (height_m BETWEEN -10 AND 500),  -- above ground
    ADD COLUMN owner_name            text,
    ADD COLUMN owner_email           text,
    ADD COLUMN disabled_at           timestamptz,  -- broker account removed; the kit's data stay
    ADD COLUMN password_changed_at   timestamptz;

CREATE INDEX kits_municipality_code_idx ON kits (municipality_code);
CREATE INDEX kits_district_code_idx ON kits (district_code);

-- API keys: only a SHA-256 of the key is stored (keys are 32 random bytes, so a fast hash is enough);
-- `prefix` (the first characters of the key) names a key in lists and logs without revealing it.
CREATE TABLE api_keys (
    id            bigserial PRIMARY KEY,
    prefix        text NOT NULL UNIQUE,
    key_hash      text NOT NULL UNIQUE,
    name          text NOT NULL,
    role          text NOT NULL CHECK (role IN ('admin', 'reader')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz
);
