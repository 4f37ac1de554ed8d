-- Residents register their own kits (api/routes/accounts.py, ijlucht/owners.py): a sign-up stores the kit's
-- description and a hash of a one-time token mailed to the address; following the link within a day registers
-- the kit (row and broker account, ijlucht/kits.py) and shows its configuration and password once. The exact
-- position in a sign-up is removed when it is confirmed (it then lives in the kit's row only); an unconfirmed
-- sign-up is kept for the per-address and per-client rate limits; every sign-up is removed after a week
-- (ijlucht/owners.py expire_signups, run by the ingest worker; docs/privacy.md).
CREATE TABLE kit_signups (
    id            bigserial PRIMARY KEY,
    email         text        NOT NULL,
    client        text        NOT NULL,   -- the address the sign-up came from (rate limit per client)
    kit_id        text        NOT NULL,
    name          text        NOT NULL,
    lat           double precision,       -- NULL once confirmed: the kit's row holds it
    lon           double precision,
    height_m      real,
    indoor        boolean     NOT NULL,
    sensors       text[]      NOT NULL,
    token_hash    text        NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    confirmed_at  timestamptz
);
CREATE INDEX kit_signups_email ON kit_signups (lower(email), created_at);
CREATE INDEX kit_signups_client ON kit_signups (client, created_at);

-- The owner's own link opens the owner page: its token is stored only as a hash (never the broker password).
-- approval_pending: registered while the operator setting IJLUCHT_KITS_NEED_APPROVAL held; the broker account
-- stays disabled until an admin approves the kit.
ALTER TABLE kits
    ADD COLUMN owner_token_hash text UNIQUE,
    ADD COLUMN approval_pending boolean NOT NULL DEFAULT false;
