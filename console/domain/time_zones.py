"""Time zones of webinars (IANA names, read by zoneinfo): a session is planned at a wall time
in its webinar's zone and stored as the UTC instant it stands for.

Daylight saving decides two cases. A wall time the clocks skip (02:30 in Paris on the last
Sunday of March) does not exist: it is refused, with the first time that does. A wall time
the clocks repeat (02:30 on the last Sunday of October) happens twice: the first one is
meant (fold=0, still summer time).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

UTC_ZONE = "UTC"
# Offered first, in this order: the zones most organizers plan in; every other zone follows.
COMMON_ZONES = (
    "Europe/Paris",
    "Europe/London",
    "Europe/Brussels",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Zurich",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Montreal",
    "America/Sao_Paulo",
    "Africa/Casablanca",
    "Africa/Dakar",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    UTC_ZONE,
)


class UnknownTimeZone(ValueError):
    """A name that is not an IANA time zone."""

    def __init__(self, name: str):
        super().__init__(f"{name!r} is not an IANA time zone, such as Europe/Paris.")
        self.name = name


class NonexistentLocalTime(ValueError):
    """A wall time the clocks skip that day in that zone (the spring change)."""

    def __init__(self, wall: datetime, zone: str, first_after: datetime):
        super().__init__(
            f"{wall:%Y-%m-%d %H:%M} does not exist in {zone}: the clocks go forward; "
            f"the first time after it is {first_after:%H:%M}."
        )
        self.wall = wall
        self.zone = zone
        self.first_after = first_after  # the wall time the instant falls on, past the gap


# Files of the system's zone folder that are not zones a person plans in.
NOT_ZONES = {"localtime", "factory", "posixrules"}


@cache
def _known() -> dict[str, str]:
    """Every IANA zone (tzdata's, else the system's), keyed by its name in lower case."""
    return {name.lower(): name for name in available_timezones() if name.lower() not in NOT_ZONES}


def checked_zone(name: str | None) -> str:
    """`name` as the IANA database spells it (`europe/paris` -> `Europe/Paris`), or
    UnknownTimeZone."""
    typed = (name or "").strip()
    spelled = _known().get(typed.lower())
    if spelled is None:
        raise UnknownTimeZone(typed)
    try:
        ZoneInfo(spelled)
    except (ZoneInfoNotFoundError, ValueError):  # listed, yet unreadable: not usable
        raise UnknownTimeZone(typed) from None
    return spelled


def is_zone(name: str | None) -> bool:
    try:
        checked_zone(name)
    except UnknownTimeZone:
        return False
    return True


def to_utc(day: date, clock: time, zone: str) -> datetime:
    """The UTC instant of the wall time `day` `clock` in `zone`. A time the clocks repeat is
    the first of the two; one they skip raises NonexistentLocalTime."""
    tz = ZoneInfo(checked_zone(zone))
    wall = datetime.combine(day, clock.replace(tzinfo=None, fold=0))
    instant = wall.replace(tzinfo=tz).astimezone(UTC)
    back = instant.astimezone(tz).replace(tzinfo=None)
    if back != wall:  # only a skipped wall time fails to come back as itself
        raise NonexistentLocalTime(wall, zone, back)
    return instant


def to_local(instant: datetime, zone: str) -> datetime:
    """`instant` (aware) on the clocks of `zone`."""
    if instant.tzinfo is None:
        raise ValueError("A stored session time is aware (UTC); this one has no zone.")
    return instant.astimezone(ZoneInfo(checked_zone(zone)))


def is_repeated(day: date, clock: time, zone: str) -> bool:
    """Whether the clocks show this wall time twice that day (the autumn change)."""
    tz = ZoneInfo(checked_zone(zone))
    wall = datetime.combine(day, clock.replace(tzinfo=None))
    # In a repeat the first reading has the larger offset; in a skip, the smaller one.
    return wall.replace(tzinfo=tz, fold=0).utcoffset() > wall.replace(tzinfo=tz, fold=1).utcoffset()


def zone_choices(*first: str | None) -> list[str]:
    """Zones for a picker: `first` (a webinar's, the browser's) when they are zones, then the
    common ones, then every other IANA zone by name; each once."""
    ordered = [checked_zone(name) for name in first if is_zone(name)]
    ordered += COMMON_ZONES
    ordered += sorted(
        name
        for name in _known().values()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "posix", "right"))
    )
    return list(dict.fromkeys(ordered))
