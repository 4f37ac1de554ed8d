-- Alerts (issue 17; ijlucht/alerts.py, the alerts/ service, api/routes/alerts.py; docs/operations.md, privacy.md).
-- A watch is one rule on one target (an area or a kit): the service evaluates each watch once per cycle and keeps
-- its debounce state here, so every subscription with the same rule shares one decision. An event is what a watch
-- raised (once per episode of bad air, however long it lasts); a delivery is one event to one subscription over
-- one channel, retried with backoff until sent or given up.
CREATE TABLE alert_watches (
    id               bigserial PRIMARY KEY,
    target           text     NOT NULL CHECK (target ~ '^(area:(GM|WK)[0-9]{4,6}|kit:[a-z0-9][a-z0-9-]{2,31})$'),
    trigger          text     NOT NULL CHECK (trigger IN ('band', 'episode')),
    quantity         text     NOT NULL,
    scale            text     NOT NULL,
    band             smallint NOT NULL CHECK (band BETWEEN 1 AND 11),   -- band index reached (1 = best)
    hours            smallint NOT NULL CHECK (hours BETWEEN 1 AND 72),  -- for at least this many hours in a row
    evaluated_until  timestamptz NOT NULL,                             -- hours before this were looked at
    last_held        timestamptz,                                      -- last hour of the latest raised event
    UNIQUE (target, trigger, quantity, scale, band, hours)
);

CREATE TABLE alert_events (
    id          bigserial PRIMARY KEY,
    watch_id    bigint NOT NULL REFERENCES alert_watches (id) ON DELETE CASCADE,
    start_hour  timestamptz NOT NULL,       -- first hour of the run that raised it
    raised_hour timestamptz NOT NULL,       -- the hour the run reached the watch's length
    last_hour   timestamptz NOT NULL,       -- last hour the condition held (grows while the event lasts)
    peak        double precision,           -- highest hourly value of the target during the event, µg/m³
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (watch_id, start_hour)
);
CREATE INDEX alert_events_watch ON alert_events (watch_id, start_hour DESC);

-- The address is kept only to send these alerts (docs/privacy.md): an unconfirmed subscription is removed after a
-- week, a confirmed one when its owner unsubscribes (one click in every mail). No API answer ever carries it.
CREATE TABLE alert_subscriptions (
    id                 bigserial PRIMARY KEY,
    watch_id           bigint NOT NULL REFERENCES alert_watches (id),
    email              text   NOT NULL,
    language           text   NOT NULL CHECK (language IN ('nl', 'en')),
    webhook_url        text,
    webhook_secret     text,                                -- HMAC key of the webhook's signatures
    confirm_hash       text   NOT NULL UNIQUE,              -- hash of the one-time confirmation token
    -- Kept as is: every alert mail carries it in its unsubscribe link; it can do nothing but unsubscribe.
    unsubscribe_token  text   NOT NULL UNIQUE,
    client             text   NOT NULL,                     -- the address the request came from (rate limit)
    created_at         timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz NOT NULL,                -- of the confirmation link
    confirmed_at       timestamptz,
    CHECK ((webhook_url IS NULL) = (webhook_secret IS NULL))
);
CREATE INDEX alert_subscriptions_email ON alert_subscriptions (lower(email), created_at);
CREATE INDEX alert_subscriptions_client ON alert_subscriptions (client, created_at);
CREATE INDEX alert_subscriptions_watch ON alert_subscriptions (watch_id) WHERE confirmed_at IS NOT NULL;

CREATE TABLE alert_deliveries (
    id               bigserial PRIMARY KEY,
    subscription_id  bigint NOT NULL REFERENCES alert_subscriptions (id) ON DELETE CASCADE,
    event_id         bigint NOT NULL REFERENCES alert_events (id) ON DELETE CASCADE,
    channel          text   NOT NULL CHECK (channel IN ('email', 'webhook')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    given_up_at      timestamptz,
    last_error       text,
    UNIQUE (subscription_id, event_id, channel)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at) WHERE sent_at IS NULL AND given_up_at IS NULL;
