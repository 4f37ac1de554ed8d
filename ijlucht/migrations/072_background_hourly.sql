-- The regional background per hour (issue 16; ijlucht/science/background.py): of the stations and kits within 20 km
-- of an emitter that were not downwind of it in that hour, how many had a value (m) and the three central order
-- statistics of those values. From them every place's background without itself follows exactly, so one place's
-- analysis reads 8,760 rows for a year instead of every place of the area. Kept with the per-day exposure sums
-- (migration 071), for the days marked in exposure_days.
CREATE TABLE background_hourly (
    emitter          text NOT NULL,
    quantity         text NOT NULL,
    weather_station  text NOT NULL,
    method           text NOT NULL,
    hour             timestamptz NOT NULL,
    m                integer NOT NULL,
    s_below          double precision,   -- s[k-1], k = (m-1) div 2, values sorted ascending
    s_mid            double precision,   -- s[k]
    s_above          double precision,   -- s[k+1]
    PRIMARY KEY (emitter, quantity, weather_station, method, hour)
);
