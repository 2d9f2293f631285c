"""console/domain/time_zones.py: IANA zones checked and spelled as the database does; a
wall time in a zone to UTC and back, through both daylight-saving changes (the time the
clocks skip is refused, the one they repeat is the first); the picker's list."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from console.domain import time_zones
from console.domain.time_zones import NonexistentLocalTime, UnknownTimeZone

PARIS = "Europe/Paris"


# --- which zones -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "spelled"),
    [
        ("Europe/Paris", "Europe/Paris"),
        (" europe/paris ", "Europe/Paris"),
        ("AMERICA/NEW_YORK", "America/New_York"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("Etc/GMT+3", "Etc/GMT+3"),
    ],
)
def test_a_zone_is_spelled_as_the_iana_database_does(typed, spelled):
    assert time_zones.checked_zone(typed) == spelled
    assert time_zones.is_zone(typed)


@pytest.mark.parametrize(
    "typed",
    ["", None, "Paris", "Mars/Olympus", "Europe/Paris/Left", "localtime", "../etc/passwd", "/etc"],
)
def test_what_is_not_a_zone_is_refused_with_the_name_kept(typed):
    with pytest.raises(UnknownTimeZone) as refused:
        time_zones.checked_zone(typed)
    assert refused.value.name == (typed or "").strip()
    assert not time_zones.is_zone(typed)


# --- wall time to UTC and back ---------------------------------------------------------------


def test_a_paris_session_on_the_day_the_clocks_go_back_is_an_hour_later_in_utc():
    # 2026-10-25 03:00 CEST -> 02:00 CET: 10:00 that Sunday is already winter time (UTC+1).
    sunday = time_zones.to_utc(date(2026, 10, 25), time(10, 0), PARIS)
    saturday = time_zones.to_utc(date(2026, 10, 24), time(10, 0), PARIS)
    assert sunday == datetime(2026, 10, 25, 9, 0, tzinfo=UTC)
    assert saturday == datetime(2026, 10, 24, 8, 0, tzinfo=UTC)
    for instant in (sunday, saturday):
        assert time_zones.to_local(instant, PARIS).time() == time(10, 0)
    assert time_zones.to_local(sunday, PARIS).date() == date(2026, 10, 25)


def test_a_paris_session_on_the_day_the_clocks_go_forward_is_an_hour_earlier_in_utc():
    # 2027-03-28 02:00 CET -> 03:00 CEST: 10:00 that Sunday is summer time (UTC+2).
    assert time_zones.to_utc(date(2027, 3, 27), time(10, 0), PARIS) == datetime(
        2027, 3, 27, 9, 0, tzinfo=UTC
    )
    sunday = time_zones.to_utc(date(2027, 3, 28), time(10, 0), PARIS)
    assert sunday == datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    assert time_zones.to_local(sunday, PARIS).replace(tzinfo=None) == datetime(2027, 3, 28, 10)


@pytest.mark.parametrize(
    ("day", "clock", "zone", "first_after"),
    [
        (date(2027, 3, 28), time(2, 30), PARIS, time(3, 30)),
        (date(2027, 3, 28), time(2, 0), PARIS, time(3, 0)),
        (date(2026, 3, 29), time(2, 59), PARIS, time(3, 59)),
        (date(2027, 3, 14), time(2, 15), "America/New_York", time(3, 15)),
    ],
    ids=["paris 02:30", "paris 02:00", "paris 2026", "new york"],
)
def test_a_time_the_clocks_skip_does_not_exist_and_says_the_first_one_after(
    day, clock, zone, first_after
):
    with pytest.raises(NonexistentLocalTime) as refused:
        time_zones.to_utc(day, clock, zone)
    assert refused.value.wall == datetime.combine(day, clock)
    assert refused.value.zone == zone
    assert refused.value.first_after == datetime.combine(day, first_after)
    assert not time_zones.is_repeated(day, clock, zone)


def test_the_edges_of_the_spring_gap_exist():
    assert time_zones.to_utc(date(2027, 3, 28), time(1, 59), PARIS) == datetime(
        2027, 3, 28, 0, 59, tzinfo=UTC
    )
    assert time_zones.to_utc(date(2027, 3, 28), time(3, 0), PARIS) == datetime(
        2027, 3, 28, 1, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("day", "clock", "zone", "first"),
    [
        (date(2026, 10, 25), time(2, 30), PARIS, datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        (date(2026, 10, 25), time(2, 0), PARIS, datetime(2026, 10, 25, 0, 0, tzinfo=UTC)),
        (
            date(2026, 11, 1),
            time(1, 30),
            "America/New_York",
            datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        ),
    ],
    ids=["paris 02:30", "paris 02:00", "new york 01:30"],
)
def test_a_time_the_clocks_repeat_is_the_first_of_the_two(day, clock, zone, first):
    assert time_zones.is_repeated(day, clock, zone)
    assert time_zones.to_utc(day, clock, zone) == first  # summer time, one hour before the 2nd
    back = time_zones.to_local(first, zone)
    assert (back.date(), back.time(), back.fold) == (day, clock, 0)


def test_ordinary_times_are_neither_skipped_nor_repeated():
    for day in (date(2026, 10, 25), date(2027, 3, 28), date(2027, 6, 1)):
        assert not time_zones.is_repeated(day, time(10, 0), PARIS)
    assert not time_zones.is_repeated(date(2026, 10, 25), time(3, 0), PARIS)


def test_utc_and_zones_without_daylight_saving_are_plain():
    assert time_zones.to_utc(date(2027, 3, 28), time(2, 30), "UTC") == datetime(
        2027, 3, 28, 2, 30, tzinfo=UTC
    )
    assert time_zones.to_utc(date(2026, 10, 25), time(19, 0), "Asia/Tokyo") == datetime(
        2026, 10, 25, 10, 0, tzinfo=UTC
    )


def test_a_time_with_a_fold_or_a_zone_of_its_own_is_read_as_the_wall_time_it_shows():
    asked = time(2, 30, fold=1, tzinfo=UTC)
    assert time_zones.to_utc(date(2026, 10, 25), asked, PARIS) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


def test_an_unknown_zone_is_refused_both_ways():
    with pytest.raises(UnknownTimeZone):
        time_zones.to_utc(date(2027, 1, 1), time(10, 0), "Mars/Olympus")
    with pytest.raises(UnknownTimeZone):
        time_zones.to_local(datetime(2027, 1, 1, tzinfo=UTC), "Mars/Olympus")


def test_a_stored_time_without_a_zone_is_a_bug():
    with pytest.raises(ValueError, match="no zone"):
        time_zones.to_local(datetime(2027, 1, 1, 10, 0), PARIS)


# --- the picker's list -----------------------------------------------------------------------


def test_the_picker_offers_the_given_zone_then_the_common_ones_then_all_others():
    zones = time_zones.zone_choices("asia/kathmandu")
    assert zones[0] == "Asia/Kathmandu"
    assert zones[1 : 1 + len(time_zones.COMMON_ZONES)] == list(time_zones.COMMON_ZONES)
    assert len(zones) == len(set(zones)) > 300
    rest = zones[1 + len(time_zones.COMMON_ZONES) :]
    assert rest == sorted(rest)
    assert {"America/Argentina/Buenos_Aires", "Pacific/Chatham"} <= set(rest)
    assert all(time_zones.is_zone(zone) for zone in zones)


def test_the_picker_skips_what_is_not_a_zone_and_says_each_zone_once():
    zones = time_zones.zone_choices(None, "Mars/Olympus", "Europe/Paris")
    assert zones[: len(time_zones.COMMON_ZONES)] == list(time_zones.COMMON_ZONES)
    assert zones.count("Europe/Paris") == 1
    assert not any(zone.startswith(("Etc/", "posix", "right")) for zone in zones[1:])


def test_every_common_zone_is_a_zone():
    assert all(time_zones.checked_zone(zone) == zone for zone in time_zones.COMMON_ZONES)
