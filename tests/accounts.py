"""Local accounts for tests that start a page already signed in.

The console re-reads a signed-in person's role on every interaction, so a page opened
as someone needs their account to exist. Hashing a password with argon2 for each test
would cost more than the test; the accounts written here share one hash, made once,
of a password no test signs in with.
"""

from __future__ import annotations

import json
from functools import cache

from console.services import auth
from console.services.access import Actor


@cache
def _unused_password_hash() -> str:
    return auth.hash_password("no test signs in with this password")


def give_accounts(*actors: Actor) -> None:
    """Local accounts with these roles, in the file the console reads (CONSOLE_USERS)."""
    path = auth.users_path()
    users = json.loads(path.read_text())["users"] if path.exists() else {}
    for actor in actors:
        if actor.role:
            users[actor.email] = {"role": actor.role, "password_hash": _unused_password_hash()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"users": users}))


def signed_in(app, actor: Actor):
    """`app` (an AppTest not yet run) opened by `actor`, whose account exists."""
    give_accounts(actor)
    app.session_state["actor"] = actor
    return app
