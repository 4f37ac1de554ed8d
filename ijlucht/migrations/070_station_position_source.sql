-- Where each station's position comes from (issue 16: reference stations ship with their positions and the source
-- of each). Null position = unknown: such a station is listed but left out of direction analysis.
ALTER TABLE reference_stations ADD COLUMN position_source text;
ALTER TABLE weather_stations ADD COLUMN position_source text;
