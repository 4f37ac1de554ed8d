"""Band scales per quantity: which air-quality band a concentration falls in, named in Dutch and English.

Pure lookups over constants; the dashboard colours the map with them, the API may label values with them.
The default scale is the revised European Air Quality Index (EEA, 2024), aligned with the WHO 2021 guidelines.
"""

import math
from dataclasses import dataclass

# Band names and colours are shared by every six-band scale. Colours run teal → yellow → orange → red → dark
# red → purple: neighbouring bands differ in lightness or along the blue–yellow axis, so they stay apart for
# people with red–green colour blindness. They are marker colours on a white map (drawn with a dark ring),
# not backgrounds for text.
_NAMES: tuple[tuple[str, str], ...] = (
    ("goed", "good"),
    ("redelijk", "fair"),
    ("matig", "moderate"),
    ("slecht", "poor"),
    ("zeer slecht", "very poor"),
    ("extreem slecht", "extremely poor"),
)
_COLOURS: tuple[str, ...] = ("#3fb8af", "#f2d948", "#f28c28", "#d7301f", "#8c0d25", "#4a1486")

NO_BAND_COLOUR = "#9e9e9e"  # grey: no value, kit offline or quantity without a scale


@dataclass(frozen=True)
class Band:
    index: int  # 1 = best
    name_nl: str
    name_en: str
    colour: str
    lower: float  # exclusive, except 0 for band 1
    upper: float | None  # inclusive; None for the open top band

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_nl


@dataclass(frozen=True)
class BandScale:
    key: str
    label_nl: str
    label_en: str
    source: str
    bands: dict[str, tuple[Band, ...]]  # by quantity key (ijlucht.quantities)


def _bands(upper_bounds: tuple[float, float, float, float, float]) -> tuple[Band, ...]:
    """Six bands from the upper bounds of bands 1–5 (µg/m³); band 6 is everything above."""
    lowers = (0.0, *upper_bounds)
    uppers: tuple[float | None, ...] = (*upper_bounds, None)
    return tuple(
        Band(i + 1, nl, en, colour, lower, upper)
        for i, ((nl, en), colour, lower, upper) in enumerate(zip(_NAMES, _COLOURS, lowers, uppers, strict=True))
    )


# Revised European Air Quality Index: EEA / ETC HE Report 2024/17, aligned with the WHO global air quality
# guidelines 2021. Upper bounds of bands 1–5 for hourly concentrations (µg/m³); band 6 is above the last one.
EAQI_2024 = BandScale(
    key="eaqi-2024",
    label_nl="Europese luchtkwaliteitsindex (EEA, 2024)",
    label_en="European Air Quality Index (EEA, 2024)",
    source="EEA, ETC HE Report 2024/17; WHO global air quality guidelines 2021",
    bands={
        "pm25": _bands((5, 15, 50, 90, 140)),
        "pm10": _bands((15, 45, 120, 195, 270)),
    },
)

# The index the EEA used from 2017 to 2023 (PM as a 24 h running mean), kept selectable for comparison with
# older reports. Source: EEA European Air Quality Index, band table 2017.
EAQI_2017 = BandScale(
    key="eaqi-2017",
    label_nl="Europese luchtkwaliteitsindex (EEA, 2017–2023)",
    label_en="European Air Quality Index (EEA, 2017–2023)",
    source="EEA European Air Quality Index, 2017 band table",
    bands={
        "pm25": _bands((10, 20, 25, 50, 75)),
        "pm10": _bands((20, 40, 50, 100, 150)),
    },
)

SCALES: dict[str, BandScale] = {s.key: s for s in (EAQI_2024, EAQI_2017)}
DEFAULT_SCALE = EAQI_2024.key


def bands_of(quantity_key: str, scale: str = DEFAULT_SCALE) -> tuple[Band, ...]:
    """All bands of a quantity on a scale, best first; empty when the quantity has no scale."""
    if scale not in SCALES:
        raise KeyError(f"unknown band scale {scale!r}; known: {', '.join(SCALES)}")
    return SCALES[scale].bands.get(quantity_key, ())


def band_for(quantity_key: str, value: float | None, scale: str = DEFAULT_SCALE) -> Band | None:
    """The band `value` falls in, or None for a missing, negative or non-finite value or an unscaled quantity.

    Upper bounds are inclusive: 5.0 µg/m³ PM2.5 is still "goed" on the 2024 index, 5.1 is "redelijk".
    """
    if value is None or not math.isfinite(value) or value < 0:
        return None
    for band in bands_of(quantity_key, scale):
        if band.upper is None or value <= band.upper:
            return band
    return None
