"""What the ui tests share: a piece of the console drawn once through AppTest."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from console.services.access import Actor
from tests.accounts import signed_in


def run_piece(
    script,
    *args,
    query: dict | None = None,
    context: dict | None = None,
    timeout: float = 60,
    actor: Actor | None = None,
    **state,
) -> AppTest:
    """`script` (a function drawing a ui piece) run with `args`, `query` in the URL,
    `context` (the browser's locale, …), signed in as `actor` (None: nobody) and `state`
    in the session; it must not raise."""
    app = AppTest.from_function(script, args=args, default_timeout=timeout)
    if actor is not None:
        signed_in(app, actor)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    if context:
        app.context = context
    for key, value in state.items():
        app.session_state[key] = value
    app.run()
    assert not app.exception, app.exception
    return app
