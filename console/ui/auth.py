"""Who is using the console in this browser, and what they may open.

With OIDC configured in .streamlit/secrets.toml ([auth]), Streamlit's st.login signs people
in and [console_roles] maps their e-mail to a role. Without it, local accounts sign in
with a password; a random session token in a cookie keeps them signed in across reloads.
"""

from __future__ import annotations

import streamlit as st

from console.formatting.i18n import _
from console.services import auth
from console.services.access import Actor, role_name

COOKIE = "console_session"

_set_cookie = st.components.v2.component(
    "webinar_console_session_cookie",
    js="""
export default function (component) {
  const { data } = component;
  if (data && data.cookie && document.cookie.indexOf(data.cookie) === -1) {
    document.cookie = data.cookie;
  }
}
""",
)


def _oidc_actor() -> Actor | None:
    if not st.user.is_logged_in:
        return None
    email = getattr(st.user, "email", None)
    role = auth.role_for_email(email)
    return Actor(email, role) if role else Actor(email or "unknown", "")


def current_actor() -> Actor | None:
    """The signed-in person, or None. Renders nothing."""
    actor = st.session_state.get("actor")
    if actor is not None:
        return _as_of_now(actor)
    if auth.oidc_configured():
        actor = _oidc_actor()
    else:
        actor = auth.session_actor(st.context.cookies.get(COOKIE))
    if actor is not None:
        st.session_state["actor"] = actor
    return actor


def _as_of_now(actor: Actor) -> Actor | None:
    """Re-read the person's role on every interaction: a role changed or an account
    removed by an admin applies to this open session now, not at its next sign-in."""
    current = auth.as_of_now(actor)
    if current is None:
        sign_out()
    elif current != actor:
        st.session_state["actor"] = current
    return current


def sign_in_form() -> None:
    """The sign-in page: OIDC's button, or the local e-mail and password form."""
    st.title(_("Sign in"))
    if auth.oidc_configured():
        st.button(
            _("Sign in with your organization's account"),
            on_click=st.login,
            key="oidc_login",
            type="primary",
        )
        return
    with st.form("sign_in"):
        email = st.text_input(_("E-mail"), key="sign_in_email")
        password = st.text_input(_("Password"), type="password", key="sign_in_password")
        submitted = st.form_submit_button(_("Sign in"), type="primary")
    if submitted:
        try:
            actor = auth.sign_in(email, password)
        except auth.SignInRefused as refused:
            st.error(str(refused))
            return
        token = auth.open_session(actor)
        st.session_state["actor"] = actor
        st.session_state["session_cookie"] = (
            f"{COOKIE}={token}; Path=/; Max-Age={auth.SESSION_DAYS * 86400}; SameSite=Strict"
        )
        st.rerun()


def keep_signed_in() -> None:
    """Write the session cookie set at sign-in (a component: Streamlit sets no cookies)."""
    cookie = st.session_state.get("session_cookie")
    if cookie:
        _set_cookie(data={"cookie": cookie}, key="session_cookie_writer")


def sign_out() -> None:
    auth.close_session(st.context.cookies.get(COOKIE))
    for key in ("actor", "session_cookie"):
        st.session_state.pop(key, None)
    if auth.oidc_configured():
        st.logout()


def page_guard(*roles: str) -> Actor:
    """Stop the page unless someone with one of `roles` is signed in; say why, show nothing."""
    actor = current_actor()
    if actor is None:
        sign_in_form()
        st.stop()
    if not actor.role:
        st.title(_("No access yet"))
        st.error(
            _(
                "You are signed in as {email}, but no role is configured for you. "
                "Ask an admin to give you one.",
                email=actor.email,
            )
        )
        st.stop()
    if actor.role not in roles:
        st.title(_("Not allowed"))
        st.error(
            _(
                "Your role ({role}) does not give access to this page.",
                role=role_name(actor.role),
            )
        )
        st.stop()
    return actor
