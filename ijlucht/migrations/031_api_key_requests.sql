-- Researchers ask for a read key themselves (api/routes/keys.py): a request stores the address and a hash of a
-- one-time token mailed to it; following the link within a day confirms the address and creates a reader key,
-- shown once. The token itself is never stored, like the keys (ijlucht/apikeys.py).
CREATE TABLE api_key_requests (
    id            bigserial PRIMARY KEY,
    email         text        NOT NULL,
    name          text        NOT NULL,
    purpose       text        NOT NULL,
    token_hash    text        NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    confirmed_at  timestamptz,
    key_id        bigint REFERENCES api_keys (id)
);
CREATE INDEX api_key_requests_email ON api_key_requests (lower(email), created_at);
