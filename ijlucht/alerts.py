"""Alerts: what a subscription watches for, and the facts the API and the alert service (alerts/) share.

A *rule* says what to look for on a *target* (an area by its CBS code, `area:GM0375`, or a kit, `kit:sm-hll-545`):
the band trigger fires when the target's hourly value reaches a band of a scale (ijlucht/bands.py) for `hours`
hours in a row; the episode trigger when an episode (ijlucht/science/episodes.py) covers the target for `hours`
hours. Debounce: once raised, an event lasts until QUIET_HOURS hours pass without the condition; only then can the
next one be raised (alerts/triggers.py). The public Atom feed of an area shows the events of FEED_RULES.
"""

import re
from dataclasses import dataclass

from ijlucht import bands, geo
from ijlucht.quantities import BY_KEY

TRIGGERS = ("band", "episode")
QUANTITIES = ("pm25", "pm10")  # what the places of an area measure (kits, Samen Meten kits, reference stations)
MAX_HOURS = 72
# An event ends only after this many hours without its condition: the New Year's fireworks (smoke that comes and
# goes through the night and the next morning) are one event, not five (tests/alerts/test_replay.py).
QUIET_HOURS = 12
TARGET_PATTERN = r"^(area:(GM|WK)[0-9]{4,6}|kit:[a-z0-9][a-z0-9-]{2,31})$"
_TARGET = re.compile(TARGET_PATTERN)


class RuleRefused(ValueError):
    """A rule or target the platform cannot watch, with the reason a resident can act on."""


@dataclass(frozen=True)
class Rule:
    trigger: str = "band"
    quantity: str = "pm25"
    scale: str = bands.DEFAULT_SCALE
    band: int = 4  # the band index reached (1 = best); the episode trigger keeps 1
    hours: int = 2

    @property
    def band_info(self) -> bands.Band | None:
        found = bands.bands_of(self.quantity, self.scale)
        return found[self.band - 1] if self.trigger == "band" and 0 < self.band <= len(found) else None


def check_rule(rule: Rule) -> None:
    """RuleRefused naming what to change."""
    if rule.trigger not in TRIGGERS:
        raise RuleRefused(f"trigger must be one of {', '.join(TRIGGERS)}, got {rule.trigger!r}")
    if rule.quantity not in QUANTITIES:
        raise RuleRefused(f"quantity must be one of {', '.join(QUANTITIES)}, got {rule.quantity!r}")
    if not 1 <= rule.hours <= MAX_HOURS:
        raise RuleRefused(f"hours must be 1 to {MAX_HOURS}, got {rule.hours}")
    if rule.trigger == "band":
        if rule.scale not in bands.SCALES:
            raise RuleRefused(f"unknown band scale {rule.scale!r}; known: {', '.join(bands.SCALES)}")
        n = len(bands.bands_of(rule.quantity, rule.scale))
        if not 2 <= rule.band <= n:
            raise RuleRefused(f"band must be 2 to {n} on {rule.scale} (band 1 is the best air: nothing to warn of)")


def check_target(target: str) -> tuple[str, str]:
    """(kind, id) of a target; RuleRefused for a malformed one or an area that is not in data/geo."""
    if not _TARGET.match(target):
        raise RuleRefused(f"target must be area:<CBS code> (area:GM0375) or kit:<kit id>, got {target[:60]!r}")
    kind, ident = target.split(":", 1)
    if kind == "area" and ident not in area_codes():
        raise RuleRefused(f"no area {ident!r}: use a municipality (GM…) or district (WK…) code of /v1/areas")
    return kind, ident


def area_codes() -> dict[str, str]:
    return {**geo.area_names("municipality"), **geo.area_names("district")}


def target_name(target: str) -> str:
    kind, ident = target.split(":", 1)
    return area_codes().get(ident, ident) if kind == "area" else f"kit {ident}"


FEED_RULES: tuple[Rule, ...] = (Rule("band", "pm25", "eaqi-2024", 4, 2),)  # "poor" PM2.5 for two hours


def unit(rule: Rule) -> str:
    return BY_KEY[rule.quantity].unit
