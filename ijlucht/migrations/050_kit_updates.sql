-- Firmware updates sent to kits: one row per kit and update command. `ijlucht kits updates` sets each row beside
-- what the kit reports (kits.firmware, from its info message's `fw`: the version it runs, firmware/kit/version.py;
-- kits.info->'last_cmd': a refusal or a rollback) to say per kit whether the update took.
CREATE TABLE kit_updates (
    kit_id      text        NOT NULL REFERENCES kits (kit_id) ON DELETE CASCADE,
    command_id  text        NOT NULL,
    version     text        NOT NULL,
    rollout     text        NOT NULL,   -- how the kit was chosen: 'kit', 'share 10', 'list', 'all'
    sent_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kit_id, command_id)
);

CREATE INDEX kit_updates_version ON kit_updates (version, kit_id);
