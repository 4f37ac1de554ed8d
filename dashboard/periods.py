"""The periods the science views offer (pure): the last 30 days, the last 12 months or a calendar year, and whole
months for a before/after comparison. Times are UTC, ends exclusive, as the API takes them."""

from datetime import UTC, datetime, timedelta

FIRST_YEAR = 2019  # the oldest measurements the project ships (data/reference: the 2019–2020 winter)
ROLLING = {"30d": timedelta(days=30), "1y": timedelta(days=365)}
DEFAULT_PERIOD = "1y"


def period_choices(now: datetime | None = None) -> list[str]:
    """'30d', '1y', then the calendar years from last year back to FIRST_YEAR."""
    year = (now or datetime.now(UTC)).year
    return [*ROLLING, *(str(y) for y in range(year - 1, FIRST_YEAR - 1, -1))]


def period_bounds(key: object, now: datetime | None = None) -> tuple[datetime, datetime]:
    """(start, end) of a period key from the browser; anything unknown is the default period."""
    now = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if isinstance(key, str) and key in period_choices(now):
        if key in ROLLING:
            return now - ROLLING[key], now
        return datetime(int(key), 1, 1, tzinfo=UTC), datetime(int(key) + 1, 1, 1, tzinfo=UTC)
    return now - ROLLING[DEFAULT_PERIOD], now


def month_choices(now: datetime | None = None) -> list[str]:
    """'YYYY-MM' from the current month back to January of FIRST_YEAR."""
    now = now or datetime.now(UTC)
    months = []
    year, month = now.year, now.month
    while year >= FIRST_YEAR:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def month_start(key: object) -> datetime | None:
    """The first instant of a 'YYYY-MM' month (None for anything else)."""
    if not isinstance(key, str) or len(key) != 7 or key[4] != "-" or not (key[:4] + key[5:]).isdigit():
        return None
    year, month = int(key[:4]), int(key[5:])
    return datetime(year, month, 1, tzinfo=UTC) if 1 <= month <= 12 and year >= FIRST_YEAR else None


def month_after(key: object) -> datetime | None:
    """The first instant after a 'YYYY-MM' month: the exclusive end of a period that includes it."""
    start = month_start(key)
    if start is None:
        return None
    return datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=UTC)


def months_around(day: str, months: int = 12) -> tuple[str, str, str, str]:
    """(before from, before to, after from, after to) as 'YYYY-MM': `months` whole months before the month of `day`
    (an ISO date) and `months` from the month after it; the event's own month is left out of both."""
    year, month = int(day[:4]), int(day[5:7])

    def shifted(by: int) -> str:
        index = year * 12 + month - 1 + by
        return f"{index // 12:04d}-{index % 12 + 1:02d}"

    return shifted(-months), shifted(-1), shifted(1), shifted(months)
