"""Webinars: create, edit, cancel, import from CSV, list with status, price and revenue.

Sessions are planned on the clocks of the webinar's time zone and stored in UTC
(domain/time_zones.py decides the daylight-saving cases).
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

import pandas as pd
from babel.dates import format_date

from console.domain import time_zones
from console.domain.catalog import SEATED, Session, Webinar
from console.domain.email_address import EmailAddressInvalid, normalized_email
from console.domain.money import MoneyError
from console.formatting.i18n import _, language
from console.formatting.presentation import refusal_text
from console.services import audit
from console.services.access import (
    ADMIN,
    FINANCE,
    ORGANIZER,
    Actor,
    in_scope,
    organizer_scope,
    require,
    require_webinar_owner,
)
from console.store import catalog, db

MAX_TITLE = 200
MAX_MINUTES = 24 * 60
SESSION_LINE = re.compile(
    r"^\s*(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2})\s*(UTC|Z)?\s*[,;/]\s*(\d+)\s*$"
)
CSV_COLUMNS = ("title", "organizer_email", "sessions", "capacity", "description")
# Optional too: a row's sessions are on the clocks of its IANA zone (UTC when empty).
CSV_TIME_ZONE = "time_zone"


class WebinarInvalid(ValueError):
    """What is wrong with a webinar, one sentence per problem."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class SessionDraft:
    """One session as the form's pickers give it: a day and a start time on the clocks of
    the webinar's time zone, and minutes; what is not picked yet is None."""

    day: date | None
    start: time | None
    minutes: int | None = None

    @property
    def is_blank(self) -> bool:
        """Neither a day nor a time: a row left as it came (its minutes are prefilled)."""
        return self.day is None and self.start is None


@dataclass(frozen=True)
class WebinarDraft:
    """A webinar as a person typed it."""

    title: str
    organizer_email: str
    # Picked sessions, or typed lines "2026-12-01 16:00, 90" (minutes); both on the clocks
    # of time_zone, but a line that ends its time with "UTC" or "Z" is in UTC.
    sessions: str | Sequence[SessionDraft]
    capacity: str = ""
    description: str = ""
    join_url: str = ""
    time_zone: str = time_zones.UTC_ZONE


@dataclass(frozen=True)
class ImportResult:
    created: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "row 3: …"; any problem: nothing saved


def parse_sessions(
    sessions: str | Sequence[SessionDraft], time_zone: str = time_zones.UTC_ZONE
) -> tuple[Session, ...]:
    """The sessions in UTC, earliest first, from picked rows or typed lines on the clocks of
    `time_zone`; WebinarInvalid names every session that is wrong."""
    if isinstance(sessions, str):
        found, problems = _typed_sessions(sessions, time_zone)
        if not found and not problems:
            problems.append(_("Add at least one session: “YYYY-MM-DD HH:MM, minutes”."))
    else:
        found, problems = _picked_sessions(sessions, time_zone)
        if not found and not problems:
            problems.append(_("Add at least one session: a date, a start time and minutes."))
    if problems:
        raise WebinarInvalid(problems)
    return tuple(sorted(found, key=lambda s: s.starts_at))


def _typed_sessions(text: str, time_zone: str) -> tuple[list[Session], list[str]]:
    sessions, problems = [], []
    for number, line in enumerate(filter(str.strip, (text or "").splitlines()), start=1):
        match = SESSION_LINE.match(line)
        if not match:
            problems.append(
                _(
                    "Session {number} (“{line}”) is not “YYYY-MM-DD HH:MM, minutes”, "
                    "for example “2026-12-01 16:00, 90”.",
                    number=number,
                    line=line.strip(),
                )
            )
            continue
        day, clock, in_utc, minutes = match.groups()
        try:
            starts = datetime.fromisoformat(f"{day}T{int(clock[:-3]):02d}:{clock[-2:]}")
        except ValueError:
            problems.append(
                _(
                    "Session {number}: {day} {clock} is not a real date and time.",
                    number=number,
                    day=day,
                    clock=clock,
                )
            )
            continue
        zone = time_zones.UTC_ZONE if in_utc else time_zone
        session = _session(number, starts.date(), starts.time(), int(minutes), zone, problems)
        if session:
            sessions.append(session)
    return sessions, problems


def _picked_sessions(
    rows: Sequence[SessionDraft], time_zone: str
) -> tuple[list[Session], list[str]]:
    sessions, problems = [], []
    for number, row in enumerate((r for r in rows if not r.is_blank), start=1):
        missing = len(problems)
        if row.day is None:
            problems.append(_("Session {number}: choose a date.", number=number))
        if row.start is None:
            problems.append(_("Session {number}: choose a start time.", number=number))
        if row.minutes is None:
            problems.append(_("Session {number}: give its length in minutes.", number=number))
        if len(problems) == missing:
            session = _session(number, row.day, row.start, row.minutes, time_zone, problems)
            if session:
                sessions.append(session)
    return sessions, problems


def _session(
    number: int, day: date, start: time, minutes: int, zone: str, problems: list[str]
) -> Session | None:
    """The session planned at `day` `start` on the clocks of `zone`, or None after saying
    what is wrong with it in `problems`."""
    if not 1 <= minutes <= MAX_MINUTES:
        problems.append(
            _("Session {number}: a duration is between 1 and 1440 minutes.", number=number)
        )
        return None
    try:
        starts_at = time_zones.to_utc(day, start, zone)
    except time_zones.NonexistentLocalTime as skipped:
        problems.append(
            _(
                "Session {number}: {clock} does not exist on {day} in {zone}, because the "
                "clocks go forward that night. Choose another time, such as {later}.",
                number=number,
                clock=start.strftime("%H:%M"),
                day=format_date(day, "full", locale=language()),
                zone=zone,
                later=skipped.first_after.strftime("%H:%M"),
            )
        )
        return None
    return Session(starts_at, minutes)


def _checked(draft: WebinarDraft, webinar_id: str, keep: Webinar | None = None) -> Webinar:
    problems = []
    title = draft.title.strip()
    if not title:
        problems.append(_("Give the webinar a title."))
    elif len(title) > MAX_TITLE:
        problems.append(_("A title has at most {limit} characters.", limit=MAX_TITLE))
    try:
        organizer = normalized_email(draft.organizer_email)
    except EmailAddressInvalid as invalid:
        organizer = ""
        problems.append(_("Organizer e-mail: {problem}", problem=refusal_text(invalid)))
    capacity = None
    if draft.capacity.strip():
        if not draft.capacity.strip().isdigit() or int(draft.capacity) < 1:
            problems.append(
                _("Capacity is a whole number of seats, 1 or more (or leave it empty).")
            )
        else:
            capacity = int(draft.capacity)
    try:
        zone = time_zones.checked_zone(draft.time_zone)
    except time_zones.UnknownTimeZone as unknown:
        zone = time_zones.UTC_ZONE  # only to check the sessions' other details
        problems.append(
            _(
                "“{zone}” is not a time zone. Choose one from the list, or write its IANA "
                "name, such as Europe/Paris or America/New_York.",
                zone=unknown.name,
            )
        )
    try:
        sessions = parse_sessions(draft.sessions, zone)
    except WebinarInvalid as invalid:
        problems += invalid.problems
        sessions = ()
    join_url = draft.join_url.strip() or None
    if join_url and not join_url.startswith(("https://", "http://")):
        problems.append(_("The join link must start with https:// (or leave it empty)."))
    if problems:
        raise WebinarInvalid(problems)
    return Webinar(
        webinar_id=webinar_id,
        title=title,
        organizer_email=organizer,
        description=draft.description.strip(),
        capacity=capacity,
        status=keep.status if keep else "scheduled",
        price_amount=keep.price_amount if keep else None,
        price_currency=keep.price_currency if keep else None,
        sessions=sessions,
        join_url=join_url,
        time_zone=zone,
    )


def _new_id() -> str:
    return "wb_" + uuid.uuid4().hex[:10]


def create_webinar(actor: Actor, draft: WebinarDraft) -> str:
    """A new webinar, free until someone sets a price. Returns its id."""
    require(actor, ADMIN, ORGANIZER)
    webinar = _checked(draft, _new_id())
    require_webinar_owner(actor, webinar.organizer_email)
    _save(actor, "webinar created", [webinar])
    return webinar.webinar_id


def _save(
    actor: Actor, action: str, webinars: list[Webinar], before: Webinar | None = None
) -> None:
    """Save webinars and audit each, in one transaction: all of them or none."""
    with db.connect(write=True) as con:
        catalog.save_webinars(con, webinars)
        for webinar in webinars:
            audit.record(
                con,
                actor.email,
                action,
                webinar_id=webinar.webinar_id,
                before=None if before is None else _audited(before),
                after=_audited(webinar),
            )


def _audited(webinar: Webinar) -> dict:
    return {
        "title": webinar.title,
        "organizer": webinar.organizer_email,
        "capacity": webinar.capacity,
        "description": webinar.description,
        "join_url": webinar.join_url,
        "time_zone": webinar.time_zone,
        "sessions": [(str(s.starts_at), s.duration_minutes) for s in webinar.sessions],
    }


def get_webinar(actor: Actor, webinar_id: str) -> Webinar:
    require(actor, ADMIN, ORGANIZER, FINANCE)
    webinar = catalog.load_webinar(webinar_id)
    if webinar is None:
        raise LookupError(_("There is no webinar {webinar_id}.", webinar_id=webinar_id))
    if actor.role == ORGANIZER:
        require_webinar_owner(actor, webinar.organizer_email)
    return webinar


def update_webinar(actor: Actor, webinar_id: str, draft: WebinarDraft) -> None:
    current = get_webinar(actor, webinar_id)
    require_webinar_owner(actor, current.organizer_email)
    webinar = _checked(draft, webinar_id, keep=current)
    require_webinar_owner(actor, webinar.organizer_email)  # no handing it to someone else
    _save(actor, "webinar edited", [webinar], before=current)


def import_webinars_csv(actor: Actor, content: bytes) -> ImportResult:
    """Check every row; save all of them, or none if any row is wrong. A row's sessions are
    on the clocks of its `time_zone` column (an IANA name; UTC when empty or absent)."""
    require(actor, ADMIN, ORGANIZER)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ImportResult(problems=[_("The file is not UTF-8 text. Save it as CSV (UTF-8).")])
    reader = csv.DictReader(io.StringIO(text))
    missing = [
        c for c in CSV_COLUMNS[:3] if c not in (reader.fieldnames or [])
    ]  # the rest: optional
    if missing:
        return ImportResult(
            problems=[
                _(
                    "The header needs the columns {columns}; missing: {missing}.",
                    columns=", ".join(CSV_COLUMNS),
                    missing=", ".join(missing),
                )
            ]
        )
    webinars, problems = [], []
    for number, row in enumerate(reader, start=2):  # row 1 is the header
        try:
            webinar = _checked(
                WebinarDraft(
                    title=row.get("title") or "",
                    organizer_email=row.get("organizer_email") or "",
                    sessions=(row.get("sessions") or "").replace(";", "\n"),
                    capacity=row.get("capacity") or "",
                    description=row.get("description") or "",
                    time_zone=(row.get(CSV_TIME_ZONE) or "").strip() or time_zones.UTC_ZONE,
                ),
                _new_id(),
            )
            require_webinar_owner(actor, webinar.organizer_email)
            price_text, currency = (row.get("price") or "").strip(), (row.get("currency") or "")
            if price_text or currency.strip():
                raise WebinarInvalid(
                    [
                        _(
                            "Prices are set on the webinar's page after the import, where the "
                            "account's verification is checked and the change is recorded: "
                            "leave price and currency empty."
                        )
                    ]
                )
            webinars.append(webinar)
        except (WebinarInvalid, MoneyError) as problem:
            said = refusal_text(problem) if isinstance(problem, MoneyError) else str(problem)
            problems.append(_("Row {number}: {problem}", number=number, problem=said))
    if not webinars and not problems:
        problems.append(_("The file has no webinar rows."))
    if problems:
        return ImportResult(problems=problems)
    _save(actor, "webinar imported", webinars)
    return ImportResult(created=[w.webinar_id for w in webinars])


def list_webinars(actor: Actor, livemode: bool) -> pd.DataFrame:
    """Webinars this actor may see, with status, price, registrations and revenue (and the
    time zone their sessions are planned in; first_session is UTC)."""
    require(actor, ADMIN, ORGANIZER, FINANCE)
    return db.query_frame(
        f"""
        WITH sessions AS (
            SELECT webinar_id, min(starts_at) AS first_session,
                   max(starts_at + to_minutes(duration_minutes)) AS last_end
            FROM webinar_sessions GROUP BY webinar_id
        ),
        seats AS (
            SELECT webinar_id, count(*) AS registrations FROM registrants
            WHERE list_contains($seated, status)
            GROUP BY webinar_id
        ),
        revenue AS (
            SELECT webinar_id, list(struct_pack(currency := settlement_currency, net := net)
                                    ORDER BY settlement_currency) AS net_revenue
            FROM (SELECT webinar_id, settlement_currency, sum(net)::BIGINT AS net
                  FROM revenue_daily WHERE livemode = $livemode GROUP BY ALL)
            GROUP BY webinar_id
        )
        SELECT w.webinar_id, w.title, w.organizer_email,
               CASE WHEN w.status = 'cancelled' THEN 'cancelled'
                    WHEN s.last_end < now() THEN 'past' ELSE 'upcoming' END AS status,
               w.price_amount, w.price_currency, s.first_session, w.time_zone,
               coalesce(seats.registrations, 0) AS registrations, r.net_revenue
        FROM webinars w
        LEFT JOIN sessions s USING (webinar_id)
        LEFT JOIN seats USING (webinar_id)
        LEFT JOIN revenue r USING (webinar_id)
        WHERE {in_scope("w.organizer_email")}
        ORDER BY s.first_session DESC NULLS LAST, w.title
        """,  # noqa: S608 - fixed text; values are parameters
        {"livemode": livemode, "scope": organizer_scope(actor), "seated": list(SEATED)},
    )
