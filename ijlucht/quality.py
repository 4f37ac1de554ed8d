"""Quality flags: a bitmask stored with every reading (docs/quality.md).

Flagged readings are stored, never dropped or altered: the flags say how far to trust them.
The checks here need only the reading itself; checks that need a kit's history (spike, flatline, warm-up)
set their bits in the ingest worker (ingest/history.py). UNCLEAN says which flags keep a reading out of the
public figures.
"""

from collections.abc import Mapping

from ijlucht.quantities import BY_KEY

OUT_OF_RANGE = 1 << 0  # a value outside the quantity's physical range
SPIKE = 1 << 1  # implausible jump against the kit's recent median
FLATLINE = 1 << 2  # the same value many times in a row: a stuck sensor
HIGH_HUMIDITY = 1 << 3  # RH at or above HIGH_RH: fog and droplets inflate optical PM
PM25_ABOVE_PM10 = 1 << 4  # PM2.5 exceeds PM10 beyond rounding: inconsistent sensor output
CLOCK_NOT_SYNCED = 1 << 5  # the kit had not synchronised its clock when it took the reading
BACKFILLED = 1 << 6  # arrived long after it was taken (a replayed backlog)
WARM_UP = 1 << 7  # taken while the sensor was warming up after boot or wake

# Version of the quality-flag method: these rules, ingest/history.py's and every threshold of both. Bump it when a
# rule or threshold changes; /v1/flags and docs/quality.md state it (a test checks the page names this one).
METHOD_VERSION = "2"  # 2: the spike review clears rises that neighbours saw too (ingest/spike_review.py)

NAMES: dict[int, str] = {
    OUT_OF_RANGE: "out_of_range",
    SPIKE: "spike",
    FLATLINE: "flatline",
    HIGH_HUMIDITY: "high_humidity",
    PM25_ABOVE_PM10: "pm25_above_pm10",
    CLOCK_NOT_SYNCED: "clock_not_synced",
    BACKFILLED: "backfilled",
    WARM_UP: "warm_up",
}

# The flags that make a reading unclean: its values (all of them — flags belong to the reading, not to one value)
# stay stored and visible per kit, but are left out of every public figure: the rollups' clean means, /v1/areas,
# /v1/stats and the map. The one definition; rollups, API queries and docs/quality.md follow it.
# Spike is not among them. Since method 2 the spike review clears rises that neighbours saw too (the 2019-2020 New
# Year fireworks: 709 of 792 kit-hours above 50 µg/m³ flagged before, 59 after, all at kits without a neighbour),
# but a plume that reaches one kit only (beside the works) still looks like a fault to it: leaving spikes out
# would hide exactly the local episodes residents ask about. docs/quality.md, "Why not spike".
# Changing UNCLEAN changes what the rollups store: recompute them (mark their hours in rollup_pending, as
# migration 025 does).
UNCLEAN = OUT_OF_RANGE | FLATLINE

_RANGES = {k: (q.minimum, q.maximum) for k, q in BY_KEY.items()}  # plain tuples: checked for every value

HIGH_RH = 85.0  # % — science.md: above ~85 % optical PM sensors read high
PM_ROUNDING = 0.5  # µg/m³ of slack before PM2.5 > PM10 counts as inconsistent
BACKFILL_AFTER_S = 15 * 60  # a reading arriving later than this counts as backfilled


def reading_flags(values: Mapping[str, float | None], age_s: float, clock_synced: bool = True) -> int:
    """Flags that follow from one reading alone; `age_s` is receive time minus reading time."""
    flags = 0
    for key, value in values.items():
        if value is not None:
            low, high = _RANGES[key]
            if not low <= value <= high:
                flags |= OUT_OF_RANGE
    rh = values.get("rh")
    if rh is not None and rh >= HIGH_RH:
        flags |= HIGH_HUMIDITY
    pm25, pm10 = values.get("pm25"), values.get("pm10")
    if pm25 is not None and pm10 is not None and pm25 > pm10 + PM_ROUNDING:
        flags |= PM25_ABOVE_PM10
    if not clock_synced:
        flags |= CLOCK_NOT_SYNCED
    if age_s > BACKFILL_AFTER_S:
        flags |= BACKFILLED
    return flags


def flag_names(flags: int) -> list[str]:
    return [name for bit, name in NAMES.items() if flags & bit]


def is_clean(flags: int) -> bool:
    """Whether a reading with these flags counts in public figures (the SQL reads: flags & UNCLEAN = 0)."""
    return not flags & UNCLEAN
