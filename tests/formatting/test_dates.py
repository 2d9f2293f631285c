"""console/formatting/dates.py: a moment in a named zone, as each language writes it."""

from __future__ import annotations

from datetime import UTC, datetime

from console.formatting.dates import day, when

# Paris leaves summer time at 03:00 on 2026-10-25: 09:00 UTC is 11:00 the day before, 10:00
# that day.
BEFORE = datetime(2026, 10, 24, 9, 0, tzinfo=UTC)
AFTER = datetime(2026, 10, 25, 9, 0, tzinfo=UTC)


def test_the_wall_time_in_the_zone_is_written_with_the_zones_name():
    assert when(BEFORE, "Europe/Paris", "en") == "Saturday, October 24, 2026, 11:00 (Europe/Paris)"
    assert when(AFTER, "Europe/Paris", "en") == "Sunday, October 25, 2026, 10:00 (Europe/Paris)"
    assert when(AFTER, "Europe/Paris", "fr") == "dimanche 25 octobre 2026, 10:00 (Europe/Paris)"
    assert when(AFTER, "America/New_York", "en") == (
        "Sunday, October 25, 2026, 05:00 (America/New_York)"
    )


def test_the_day_is_the_zones_day():
    late = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert day(late, "UTC", "en") == "December 31, 2026"
    assert day(late, "Asia/Tokyo", "fr") == "1 janvier 2027"
