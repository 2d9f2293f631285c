"""What the ui tests share: a piece of the console drawn once through AppTest."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def run_piece(
    script,
    *args,
    query: dict | None = None,
    context: dict | None = None,
    timeout: float = 60,
    **state,
) -> AppTest:
    """`script` (a function drawing a ui piece) run with `args`, `query` in the URL,
    `context` (the browser's locale, …) and `state` in the session; it must not raise."""
    app = AppTest.from_function(script, args=args, default_timeout=timeout)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    if context:
        app.context = context
    for key, value in state.items():
        app.session_state[key] = value
    app.run()
    assert not app.exception, app.exception
    return app
