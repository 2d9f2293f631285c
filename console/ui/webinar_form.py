"""The two webinar forms: create one, and edit the details of one.

Sessions are picked as a date, a start time and minutes each, on the clocks of the
webinar's time zone (the browser's for a new webinar); the service stores them in UTC.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import streamlit as st

from console.domain import time_zones
from console.domain.catalog import Webinar
from console.formatting.i18n import N_, _, language
from console.services import webinars
from console.services.access import Actor, PermissionDenied
from console.ui.webinar_view import browser_time_zone, session_when

DESCRIPTION = N_("Description, with the cancellation and refund policy")
JOIN_URL = N_("Join link (https://…)")
CREATE = "new"  # the create form's keys start with it; an edit form's with edit_<id>
MINUTES = 60  # a new session's length until someone changes it
STEP = timedelta(minutes=5)  # the start times offered; any other can be typed
WEEK = timedelta(days=7)
DATE_FORMAT = {"en": "YYYY-MM-DD", "fr": "DD/MM/YYYY"}


def _problems(invalid: webinars.WebinarInvalid) -> str:
    return "\n".join(f"- {p}" for p in invalid.problems)


def create_webinar_form(actor: Actor) -> None:
    """A new webinar, free until someone sets a price; it becomes the one the Webinar page
    opens."""
    st.subheader(_("Create a webinar"))
    title = st.text_input(_("Title"), key="new_title")
    organizer = st.text_input(_("Organizer e-mail"), value=actor.email, key="new_organizer")
    _start(CREATE, browser_time_zone() or time_zones.UTC_ZONE, [webinars.SessionDraft(None, None)])
    zone = _zone_picker(
        CREATE,
        _(
            "The sessions' dates and start times below are in this zone's time, and "
            "registrants see them with its name. It starts as your browser's time zone."
        ),
    )
    sessions = _session_pickers(CREATE, zone)
    capacity = st.text_input(_("Capacity (seats; empty for no limit)"), key="new_capacity")
    description = st.text_area(_(DESCRIPTION), key="new_description")
    join_url = st.text_input(_(JOIN_URL), key="new_join_url")
    if not st.button(_("Create webinar"), key="create_webinar", type="primary"):
        return
    draft = webinars.WebinarDraft(
        title, organizer, sessions, capacity, description, join_url, time_zone=zone
    )
    try:
        webinar_id = webinars.create_webinar(actor, draft)
    except webinars.WebinarInvalid as invalid:
        st.error(_("The webinar was not created:\n\n{problems}", problems=_problems(invalid)))
    except PermissionDenied as refused:
        st.error(str(refused))
    else:
        st.success(
            _(
                "Created “{title}” ({webinar_id}). It is free until you set a price.",
                title=title.strip(),
                webinar_id=webinar_id,
            )
        )
        st.session_state["webinar_page_id"] = webinar_id


def edit_webinar_form(actor: Actor, webinar: Webinar) -> None:
    """Title, organizer, time zone, sessions, capacity, description and join link; saved
    together."""
    st.subheader(_("Details"))
    prefix = f"edit_{webinar.webinar_id}"
    zone = webinar.time_zone if time_zones.is_zone(webinar.time_zone) else time_zones.UTC_ZONE
    planned = [
        webinars.SessionDraft(local.date(), local.time().replace(tzinfo=None), s.duration_minutes)
        for s in webinar.sessions
        for local in [time_zones.to_local(s.starts_at, zone)]
    ]
    _start(prefix, zone, planned or [webinars.SessionDraft(None, None)])
    title = st.text_input(_("Title"), value=webinar.title)
    organizer = st.text_input(_("Organizer e-mail"), value=webinar.organizer_email)
    zone = _zone_picker(
        prefix,
        _(
            "Changing the time zone does not move the sessions: their dates and start times "
            "below are shown in the new zone's time. Registrants see them with its name."
        ),
        keep_moments=True,
    )
    sessions = _session_pickers(prefix, zone)
    capacity = st.text_input(_("Capacity"), value=str(webinar.capacity or ""))
    description = st.text_area(_(DESCRIPTION), value=webinar.description, height=150)
    join_url = st.text_input(_(JOIN_URL), value=webinar.join_url or "")
    if not st.button(_("Save changes"), key="save_webinar", type="primary"):
        return
    draft = webinars.WebinarDraft(
        title, organizer, sessions, capacity, description, join_url, time_zone=zone
    )
    try:
        webinars.update_webinar(actor, webinar.webinar_id, draft)
    except webinars.WebinarInvalid as invalid:
        st.error(_("Not saved:\n\n{problems}", problems=_problems(invalid)))
    except PermissionDenied as refused:
        st.error(str(refused))
    else:
        _forget(prefix)  # the next run shows the sessions as saved, earliest first
        st.session_state["webinar_flash"] = _("Saved.")
        st.rerun()


# --- the time zone and the session pickers, kept in session state under a prefix -------------


def _key(prefix: str, part: str, row: int | None = None) -> str:
    return f"{prefix}_{part}" if row is None else f"{prefix}_{part}_{row}"


def _start(prefix: str, zone: str, rows: list[webinars.SessionDraft]) -> None:
    """The form's zone and session rows, unless it already has them (Streamlit forgets a
    widget's value when a run does not draw it: the form then starts again)."""
    state = st.session_state
    kept = state.get(_key(prefix, "rows"))
    if (
        kept is not None
        and _key(prefix, "zone") in state
        and all(_key(prefix, "date", row) in state for row in kept)
    ):
        return
    for row, draft in enumerate(rows):
        _put(prefix, row, draft)
    state[_key(prefix, "rows")] = list(range(len(rows)))
    state[_key(prefix, "next")] = len(rows)
    state[_key(prefix, "zone")] = zone
    state[_key(prefix, "zone_was")] = zone
    state[_key(prefix, "zone_first")] = zone


def _forget(prefix: str) -> None:
    for key in [k for k in st.session_state if str(k).startswith(f"{prefix}_")]:
        del st.session_state[key]


def _put(prefix: str, row: int, draft: webinars.SessionDraft) -> None:
    st.session_state[_key(prefix, "date", row)] = draft.day
    st.session_state[_key(prefix, "start", row)] = draft.start
    st.session_state[_key(prefix, "minutes", row)] = draft.minutes or MINUTES


def _picked(prefix: str, row: int) -> webinars.SessionDraft:
    state = st.session_state
    return webinars.SessionDraft(
        state.get(_key(prefix, "date", row)),
        state.get(_key(prefix, "start", row)),
        state.get(_key(prefix, "minutes", row)),
    )


def _zone_picker(prefix: str, help_text: str, keep_moments: bool = False) -> str:
    return st.selectbox(
        _("Time zone"),
        time_zones.zone_choices(st.session_state[_key(prefix, "zone_first")]),
        format_func=lambda zone: zone.replace("_", " "),
        key=_key(prefix, "zone"),
        help=help_text,
        on_change=_keep_moments if keep_moments else None,
        args=(prefix,) if keep_moments else None,
    )


def _keep_moments(prefix: str) -> None:
    """After the zone changed: each session at the same moment, on the new zone's clocks."""
    state = st.session_state
    was, now = state[_key(prefix, "zone_was")], state[_key(prefix, "zone")]
    for row in state[_key(prefix, "rows")]:
        picked = _picked(prefix, row)
        if picked.day is None or picked.start is None:
            continue
        try:
            local = time_zones.to_local(time_zones.to_utc(picked.day, picked.start, was), now)
        except time_zones.NonexistentLocalTime:
            continue  # not a moment: left as typed, the form will say why
        _put(prefix, row, webinars.SessionDraft(local.date(), local.time(), picked.minutes))
    state[_key(prefix, "zone_was")] = now


def _add_row(prefix: str) -> None:
    """One more session: a week after the last one, at the same time and for as long."""
    state = st.session_state
    rows = state[_key(prefix, "rows")]
    last = _picked(prefix, rows[-1]) if rows else webinars.SessionDraft(None, None)
    new = state[_key(prefix, "next")]
    state[_key(prefix, "next")] = new + 1
    day = last.day + WEEK if last.day else None
    _put(prefix, new, webinars.SessionDraft(day, last.start, last.minutes))
    state[_key(prefix, "rows")] = [*rows, new]


def _remove_row(prefix: str, row: int) -> None:
    state = st.session_state
    state[_key(prefix, "rows")] = [r for r in state[_key(prefix, "rows")] if r != row]
    for part in ("date", "start", "minutes"):
        state.pop(_key(prefix, part, row), None)


def _session_pickers(prefix: str, zone: str) -> list[webinars.SessionDraft]:
    """A date, a start time and minutes per session, with each one's start in words."""
    st.markdown(f"**{_('Sessions')}**")
    st.caption(_("Dates and start times are in {zone} time.", zone=zone))
    rows = st.session_state[_key(prefix, "rows")]
    picked = []
    for position, row in enumerate(rows):
        shown = "visible" if position == 0 else "collapsed"
        day_column, start_column, minutes_column, when_column, remove_column = st.columns(
            [3, 2, 2, 4, 1], vertical_alignment="bottom"
        )
        day = day_column.date_input(
            _("Date"),
            key=_key(prefix, "date", row),
            format=DATE_FORMAT.get(language(), "YYYY-MM-DD"),
            label_visibility=shown,
        )
        start = start_column.time_input(
            _("Start time"),
            key=_key(prefix, "start", row),
            step=STEP,
            label_visibility=shown,
            help=_(
                "In the time zone above. A time that happens twice, when the clocks go back "
                "in autumn, is the first one (still summer time). A time the clocks skip in "
                "spring does not exist and is refused."
            ),
        )
        minutes = minutes_column.number_input(
            _("Minutes"),
            min_value=1,
            max_value=webinars.MAX_MINUTES,
            step=15,
            key=_key(prefix, "minutes", row),
            label_visibility=shown,
        )
        when_column.caption(_start_in_words(day, start, zone))
        if len(rows) > 1:
            remove_column.button(
                ":material/delete:",
                key=_key(prefix, "remove", row),
                help=_("Remove this session"),
                on_click=_remove_row,
                args=(prefix, row),
            )
        picked.append(webinars.SessionDraft(day, start, minutes))
    st.button(
        _("Add a session"),
        key=_key(prefix, "add"),
        icon=":material/add:",
        help=_("A week after the last one, at the same time and for as long."),
        on_click=_add_row,
        args=(prefix,),
    )
    return picked


def _start_in_words(day: date | None, start: time | None, zone: str) -> str:
    """The session's start as registrants will read it, or why there is none."""
    if day is None or start is None:
        return ""
    try:
        starts_at = time_zones.to_utc(day, start, zone)
    except time_zones.NonexistentLocalTime as skipped:
        return _(
            ":warning: {clock} does not exist that day in {zone}: the clocks go forward. "
            "Choose another time, such as {later}.",
            clock=start.strftime("%H:%M"),
            zone=zone,
            later=skipped.first_after.strftime("%H:%M"),
        )
    when = session_when(starts_at, zone)
    if time_zones.is_repeated(day, start, zone):
        return _("{when}: the first of the two, as the clocks go back that night.", when=when)
    return when
