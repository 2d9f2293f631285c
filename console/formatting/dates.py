"""Dates and times for people: in a given time zone, written as the language writes them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time


def when(moment: datetime, zone: str, locale: str) -> str:
    """“Sunday, October 25, 2026, 10:00 (Europe/Paris)” / “dimanche 25 octobre 2026, 10:00
    (Europe/Paris)”: the wall time in `zone`, which is named."""
    local = moment.astimezone(ZoneInfo(zone))
    day = format_date(local, format="full", locale=locale)
    return f"{day}, {format_time(local, 'HH:mm', locale=locale)} ({zone})"


def day(moment: datetime, zone: str, locale: str) -> str:
    """“October 25, 2026” / “25 octobre 2026”, the date in `zone`."""
    return format_date(moment.astimezone(ZoneInfo(zone)), format="long", locale=locale)
