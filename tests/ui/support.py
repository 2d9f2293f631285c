"""What the ui tests share: a piece of the console drawn once through AppTest, in the
language the app would speak."""

from __future__ import annotations

import inspect
import textwrap

from streamlit.testing.v1 import AppTest

from console.services.access import Actor
from tests.accounts import signed_in

# What streamlit_app.py does before any page: speak the language chosen in the sidebar
# (session state's "locale"), else the browser's.
SPEAK_AS_THE_APP_DOES = """\
import streamlit as __st
from console.formatting import i18n as __i18n

__i18n.use(
    __st.session_state["locale"]
    if "locale" in __st.session_state
    else __i18n.browser_language(__st.context.locale)
)
"""


def run_piece(
    script,
    *args,
    query: dict | None = None,
    context: dict | None = None,
    timeout: float = 60,
    actor: Actor | None = None,
    language: str | None = None,
    **state,
) -> AppTest:
    """`script` (a function drawing a ui piece) run with `args`, `query` in the URL,
    `context` (the browser's locale, …), signed in as `actor` (None: nobody) and `state`
    in the session; it must not raise. Each run speaks as the app would: `language` (or
    `locale=` in `state`, as the sidebar's choice), else the browser's, else English."""
    source = textwrap.dedent(inspect.getsource(script))
    module = f"{SPEAK_AS_THE_APP_DOES}\n{source}\n{script.__name__}(*__args, **__kwargs)\n"
    # AppTest.from_function with a preamble: its own helper, which also passes the args.
    app = AppTest._from_string(module, default_timeout=timeout, args=args)
    if actor is not None:
        signed_in(app, actor)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    if context:
        app.context = context
    if language is not None:
        state.setdefault("locale", language)
    for key, value in state.items():
        app.session_state[key] = value
    app.run()
    assert not app.exception, app.exception
    return app
