"""Band scales per quantity: which air-quality band a concentration falls in, named in Dutch and English.

Pure lookups over constants; the dashboard colours the map with them, the API labels values with them. Three
families, each threshold with its source next to it (docs/bands.md explains them for readers):

* the European Air Quality Index (EEA): the revised 2024 bands (the default) and the 2017–2023 bands;
* the WHO global air quality guidelines 2021: the guideline level (AQG) and the interim targets as a scale;
* the Dutch Luchtkwaliteitsindex (LKI) of RIVM, the 1–11 index shown on luchtmeetnet.nl.

Concentrations in µg/m³. Keys "no2" and "o3" are ready for gas sensors; today's kits measure particles only.
"""

import math
from dataclasses import dataclass

# Colours run teal → yellow → orange → red → dark red → purple: neighbouring bands differ in lightness or along
# the blue–yellow axis, so they stay apart for people with red–green colour blindness. They are marker colours on
# a white map (drawn with a dark ring), not backgrounds for text.
_SIX_COLOURS: tuple[str, ...] = ("#3fb8af", "#f2d948", "#f28c28", "#d7301f", "#8c0d25", "#4a1486")

NO_BAND_COLOUR = "#9e9e9e"  # grey: no value, kit offline or stale, or quantity without a scale


@dataclass(frozen=True)
class Band:
    index: int  # 1 = best
    name_nl: str
    name_en: str
    colour: str
    lower: float
    upper: float | None  # None for the open top band

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_nl


@dataclass(frozen=True)
class BandScale:
    key: str
    label_nl: str
    label_en: str
    source: str
    bands: dict[str, tuple[Band, ...]]  # by quantity key (ijlucht.quantities; "no2"/"o3" for future gas sensors)
    averaging: dict[str, str]  # averaging period the thresholds are defined for, per quantity: "1h", "24h", "8h"
    # True: a band's upper bound belongs to it (EEA, WHO: 5.0 is band 1, 5.1 band 2). False: the lower bound does
    # (LKI: 10 µg/m³ PM2.5 is level 2).
    upper_inclusive: bool = True

    def label(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_nl


def _bands(bounds: tuple[float, ...], names: tuple[tuple[str, str], ...], colours: tuple[str, ...]) -> tuple[Band, ...]:
    """len(bounds) + 1 bands from the bounds between them; the last band is open-ended."""
    if not (len(names) == len(colours) == len(bounds) + 1):
        raise ValueError("a scale needs one name and one colour per band, and one bound fewer")
    if list(bounds) != sorted(set(bounds)):
        raise ValueError(f"band bounds must rise strictly: {bounds}")
    lowers = (0.0, *bounds)
    uppers: tuple[float | None, ...] = (*bounds, None)
    return tuple(
        Band(i + 1, nl, en, colour, lower, upper)
        for i, ((nl, en), colour, lower, upper) in enumerate(zip(names, colours, lowers, uppers, strict=True))
    )


# --- European Air Quality Index ---------------------------------------------------------------------------------

_EAQI_NAMES: tuple[tuple[str, str], ...] = (
    ("goed", "good"),
    ("redelijk", "fair"),
    ("matig", "moderate"),
    ("slecht", "poor"),
    ("zeer slecht", "very poor"),
    ("extreem slecht", "extremely poor"),
)


def _eaqi(upper_bounds: tuple[float, float, float, float, float]) -> tuple[Band, ...]:
    """Six bands from the upper bounds of bands 1–5 (µg/m³); band 6 is everything above."""
    return _bands(upper_bounds, _EAQI_NAMES, _SIX_COLOURS)


# Revised European Air Quality Index: EEA / ETC HE Report 2024/17 "EEA's revision of the European air quality index
# bands", Table 5.2 (airindex.eea.europa.eu), aligned with the WHO 2021 guidelines. Upper bounds of bands 1–5 for
# 1-hour concentrations. Whether PM is the hour value or a 24 h running mean: (verify) on airindex.eea.europa.eu.
EAQI_2024 = BandScale(
    key="eaqi-2024",
    label_nl="Europese luchtkwaliteitsindex (EEA, 2024)",
    label_en="European Air Quality Index (EEA, 2024)",
    source="EEA, ETC HE Report 2024/17, Table 5.2; aligned with the WHO global air quality guidelines 2021",
    bands={
        "pm25": _eaqi((5, 15, 50, 90, 140)),  # ETC HE 2024/17 Table 5.2
        "pm10": _eaqi((15, 45, 120, 195, 270)),  # ETC HE 2024/17 Table 5.2
        "no2": _eaqi((10, 25, 60, 100, 150)),  # ETC HE 2024/17 Table 5.2
        "o3": _eaqi((60, 100, 120, 160, 180)),  # ETC HE 2024/17 Table 5.2 (180 = EU information threshold)
    },
    averaging={"pm25": "1h", "pm10": "1h", "no2": "1h", "o3": "1h"},
)

# The index the EEA used from 2017 to 2023, kept selectable for comparison with older reports. Source: EEA European
# Air Quality Index band table 2017 (as documented by Open-Meteo). PM as 24 h running mean, NO2 and O3 hourly.
EAQI_2017 = BandScale(
    key="eaqi-2017",
    label_nl="Europese luchtkwaliteitsindex (EEA, 2017–2023)",
    label_en="European Air Quality Index (EEA, 2017–2023)",
    source="EEA European Air Quality Index, 2017 band table",
    bands={
        "pm25": _eaqi((10, 20, 25, 50, 75)),  # EEA EAQI 2017
        "pm10": _eaqi((20, 40, 50, 100, 150)),  # EEA EAQI 2017
        "no2": _eaqi((40, 90, 120, 230, 340)),  # EEA EAQI 2017
        "o3": _eaqi((50, 100, 130, 240, 380)),  # EEA EAQI 2017
    },
    averaging={"pm25": "24h", "pm10": "24h", "no2": "1h", "o3": "1h"},
)

# --- WHO global air quality guidelines 2021 -------------------------------------------------------------------------

# Short-term (24 h; O3 8 h) levels, because the map shows hours, not years. Band 1 is at or below the air quality
# guideline level (AQG); each further band reaches up to the next interim target (IT) from the strictest (IT4) to
# the loosest (IT1); the last band is above IT1. Source: WHO global air quality guidelines 2021, Table 0.1 (the
# 24-h values are 99th percentiles, i.e. 3–4 exceedance days a year are allowed).
_WHO_COLOURS: dict[int, tuple[str, ...]] = {
    6: _SIX_COLOURS,
    4: ("#3fb8af", "#f28c28", "#d7301f", "#4a1486"),
}


def _who(aqg: float, interim_targets: tuple[float, ...]) -> tuple[Band, ...]:
    """Bands for the AQG and the interim targets, given from the strictest (IT4 or IT2) to the loosest (IT1)."""
    n_it = len(interim_targets)
    names = [("binnen WHO-advieswaarde", "within WHO guideline")]
    for k, _ in enumerate(interim_targets):
        it = n_it - k  # the strictest given target has the highest number
        names.append((f"boven advieswaarde, tot tussendoel {it}", f"above guideline, up to interim target {it}"))
    names.append(("boven tussendoel 1", "above interim target 1"))
    return _bands((aqg, *interim_targets), tuple(names), _WHO_COLOURS[n_it + 2])


WHO_2021 = BandScale(
    key="who2021",
    label_nl="WHO-advieswaarden 2021 en tussendoelen",
    label_en="WHO 2021 guideline levels and interim targets",
    source="WHO global air quality guidelines 2021, Table 0.1 (24-hour AQG and interim targets; O3 8-hour)",
    bands={
        "pm25": _who(15, (25, 37.5, 50, 75)),  # WHO 2021 Table 0.1: 24 h AQG 15; IT4 25, IT3 37.5, IT2 50, IT1 75
        "pm10": _who(45, (50, 75, 100, 150)),  # WHO 2021 Table 0.1: 24 h AQG 45; IT4 50, IT3 75, IT2 100, IT1 150
        "no2": _who(25, (50, 120)),  # WHO 2021 Table 0.1: 24 h AQG 25; IT2 50, IT1 120
        "o3": _who(100, (120, 160)),  # WHO 2021 Table 0.1: 8 h AQG 100; IT2 120, IT1 160
    },
    averaging={"pm25": "24h", "pm10": "24h", "no2": "24h", "o3": "8h"},
)

# The yearly guideline levels, for statistics over a year (not a map scale). WHO 2021 Table 0.1.
WHO_2021_ANNUAL_AQG: dict[str, float] = {"pm25": 5.0, "pm10": 15.0, "no2": 10.0}
# The 24-hour guideline levels: the line on the kit chart, and "hours above the WHO guideline". WHO 2021 Table 0.1.
WHO_2021_24H_AQG: dict[str, float] = {"pm25": 15.0, "pm10": 45.0, "no2": 25.0}

# --- Dutch Luchtkwaliteitsindex (LKI) --------------------------------------------------------------------------------

# Eleven levels in five named classes: 1–3 goed, 4–6 matig, 7–8 onvoldoende, 9–10 slecht, 11 zeer slecht.
# Source: RIVM briefrapport 2014-0050 and luchtmeetnet.nl "over deze website"; breakpoints as implemented (and
# agreeing) in markbaas/con2lkiR R/con2lki.R and teusH/MySense AirQualityIndex.py. Lower bounds are inclusive.
# The colours are ours (light to dark within a class), not RIVM's.
_LKI_CLASSES: tuple[tuple[str, str], ...] = (
    *(("goed", "good"),) * 3,
    *(("matig", "moderate"),) * 3,
    *(("onvoldoende", "insufficient"),) * 2,
    *(("slecht", "poor"),) * 2,
    ("zeer slecht", "very poor"),
)
_LKI_COLOURS: tuple[str, ...] = (
    "#7fd3cd",  # 1 goed
    "#3fb8af",  # 2
    "#2a8c85",  # 3
    "#f6e58d",  # 4 matig
    "#f2d948",  # 5
    "#e0b400",  # 6
    "#f5a25d",  # 7 onvoldoende
    "#e2711d",  # 8
    "#d7301f",  # 9 slecht
    "#8c0d25",  # 10
    "#4a1486",  # 11 zeer slecht
)
_LKI_NAMES = tuple((f"{nl} ({i})", f"{en} ({i})") for i, (nl, en) in enumerate(_LKI_CLASSES, start=1))


def _lki(lower_bounds: tuple[float, ...]) -> tuple[Band, ...]:
    """Eleven levels from the lower bounds of levels 2–11 (level 1 starts at 0)."""
    return _bands(lower_bounds, _LKI_NAMES, _LKI_COLOURS)


LKI = BandScale(
    key="lki",
    label_nl="Luchtkwaliteitsindex (RIVM)",
    label_en="Dutch air quality index LKI (RIVM)",
    source="RIVM briefrapport 2014-0050; luchtmeetnet.nl; breakpoints as in markbaas/con2lkiR and teusH/MySense",
    bands={
        "pm25": _lki((10, 15, 20, 30, 40, 50, 70, 90, 100, 140)),  # RIVM 2014-0050 via con2lkiR / MySense
        "pm10": _lki((10, 20, 30, 45, 60, 75, 100, 125, 150, 200)),  # RIVM 2014-0050 via con2lkiR / MySense
        "no2": _lki((10, 20, 30, 45, 60, 75, 100, 125, 150, 200)),  # RIVM 2014-0050 via con2lkiR / MySense
        "o3": _lki((15, 30, 40, 60, 80, 100, 140, 180, 200, 240)),  # RIVM 2014-0050 via con2lkiR / MySense
    },
    # Luchtmeetnet computes the LKI from hourly values; whether PM uses a 24 h running mean is (verify).
    averaging={"pm25": "1h", "pm10": "1h", "no2": "1h", "o3": "1h"},
    upper_inclusive=False,
)

SCALES: dict[str, BandScale] = {s.key: s for s in (EAQI_2024, EAQI_2017, WHO_2021, LKI)}
DEFAULT_SCALE = EAQI_2024.key
GAS_KEYS = ("no2", "o3")  # scaled here, not yet measured by any kit (not in ijlucht.quantities)


def scale_of(scale: str) -> BandScale:
    """The scale with key `scale`; KeyError naming the known keys otherwise."""
    if scale not in SCALES:
        raise KeyError(f"unknown band scale {scale!r}; known: {', '.join(SCALES)}")
    return SCALES[scale]


def bands_of(quantity_key: str, scale: str = DEFAULT_SCALE) -> tuple[Band, ...]:
    """All bands of a quantity on a scale, best first; empty when the quantity has no scale."""
    return scale_of(scale).bands.get(quantity_key, ())


def band_for(quantity_key: str, value: float | None, scale: str = DEFAULT_SCALE) -> Band | None:
    """The band `value` falls in, or None for a missing, negative or non-finite value or an unscaled quantity.

    EEA and WHO: upper bounds are inclusive (5.0 µg/m³ PM2.5 is still "goed" on the 2024 index, 5.1 is
    "redelijk"). LKI: lower bounds are inclusive (10.0 µg/m³ PM2.5 is level 2).
    """
    bands = bands_of(quantity_key, scale)
    if value is None or not math.isfinite(value) or value < 0:
        return None
    upper_inclusive = SCALES[scale].upper_inclusive
    for band in bands:
        if band.upper is None or value < band.upper or (upper_inclusive and value == band.upper):
            return band
    return None


def worst_band(values: dict[str, float | None], scale: str = DEFAULT_SCALE) -> Band | None:
    """The overall index: the worst band over the pollutants given (EEA and LKI both take the maximum).

    The LKI's extra "+1 when all pollutants share a level" (con2lkiR, MySense) is not applied: (verify) against
    RIVM 2014-0050 first.
    """
    bands = [b for key, v in values.items() if (b := band_for(key, v, scale)) is not None]
    return max(bands, key=lambda b: b.index) if bands else None
