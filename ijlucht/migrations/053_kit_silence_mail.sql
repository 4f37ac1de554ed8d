-- The owner is mailed once when the kit has been silent for a set time and once when it is heard again
-- (ijlucht/silence.py, run by the ingest worker): silence_mailed_at says a "silent" mail went out and when.
ALTER TABLE kits ADD COLUMN silence_mailed_at timestamptz;
