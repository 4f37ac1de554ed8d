-- When a kit last booted (info message's `uptime`), so readings in its sensors' warm-up can be flagged.
ALTER TABLE kits ADD COLUMN booted_at timestamptz;
