"""Sign-in: local accounts (argon2 hashes in a file) or OIDC, and e-mail-to-role mapping.

Local accounts live in the file named by CONSOLE_USERS (default data/users.json), written
by `console users add`. Failed sign-ins slow down and then lock the account for a while.
A signed-in browser keeps a random session token in a cookie; only its hash is stored.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from console.domain.email_address import normalized_email
from console.formatting.i18n import _, ngettext
from console.services import audit
from console.services.access import ADMIN, ROLES, Actor, require
from console.settings import _secrets, setting
from console.store import db, sign_ins

LOCK_AFTER_FAILURES = 5
LOCK_MINUTES = 15
SLOWDOWN_SECONDS_PER_FAILURE = 0.5  # a wrong password waits longer each time, up to 3 s
SESSION_DAYS = 7
MIN_PASSWORD = 10

PASSWORD_HASHING = profiles.RFC_9106_LOW_MEMORY  # argon2id, argon2-cffi's default
_hasher = PasswordHasher.from_parameters(PASSWORD_HASHING)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


class SignInRefused(PermissionError):
    """Why the sign-in did not work, without saying whether the account exists."""


def users_path() -> Path:
    return Path(setting("CONSOLE_USERS") or db.database_path().parent / "users.json")


def _load_users() -> dict[str, dict]:
    try:
        return json.loads(users_path().read_text())["users"]
    except FileNotFoundError:
        return {}


def _save_users(users: dict[str, dict]) -> None:
    path = users_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"users": users}, indent=1, sort_keys=True))
    temporary.chmod(0o600)
    temporary.replace(path)


def add_user(email: str, role: str, password: str, by: str = "console users add") -> None:
    """Create or update a local account (the password is stored only as an argon2 hash)."""
    email = email.strip().lower()
    if role not in ROLES:
        raise ValueError(_("The role must be one of {roles}.", roles=", ".join(ROLES)))
    email = normalized_email(email)  # EmailAddressInvalid is a ValueError
    if len(password) < MIN_PASSWORD:
        raise ValueError(_("Choose a password of at least {count} characters.", count=MIN_PASSWORD))
    users = _load_users()
    before = users.get(email, {}).get("role")
    users[email] = {"role": role, "password_hash": hash_password(password)}
    _save_users(users)
    with db.connect(write=True) as con:
        audit.record(
            con,
            by,
            "role change" if before else "user added",
            subject=email,
            before={"role": before},
            after={"role": role},
        )


def remove_user(email: str, by: str = "console users remove") -> bool:
    """Delete a local account; its open sessions end at their next interaction."""
    email = email.strip().lower()
    users = _load_users()
    removed = users.pop(email, None)
    if removed is None:
        return False
    _save_users(users)
    with db.connect(write=True) as con:
        audit.record(
            con, by, "user removed", subject=email, before={"role": removed["role"]}, after={}
        )
    return True


def local_users() -> dict[str, str]:
    return {email: user["role"] for email, user in _load_users().items()}


def _record_failure(email: str, failures: int) -> None:
    locked_until = (
        datetime.now(UTC) + timedelta(minutes=LOCK_MINUTES)
        if failures >= LOCK_AFTER_FAILURES
        else None
    )
    with db.connect(write=True) as con:
        sign_ins.record_failure(con, email, failures, locked_until)
        audit.record(
            con,
            email,
            "failed sign-in",
            after={"failures": failures, "locked": locked_until is not None},
        )


def _slow_down(seconds: float) -> None:
    time.sleep(seconds)


def sign_in(email: str, password: str) -> Actor:
    email = email.strip().lower()
    failures, locked_until = sign_ins.failures(email)
    if locked_until is not None and locked_until > datetime.now(UTC):
        minutes = int((locked_until - datetime.now(UTC)).total_seconds() // 60) + 1
        raise SignInRefused(
            ngettext(
                "Too many failed sign-ins: this account is locked for {count} more minute. "
                "Try again later, or ask an admin.",
                "Too many failed sign-ins: this account is locked for {count} more minutes. "
                "Try again later, or ask an admin.",
                minutes,
            )
        )
    user = _load_users().get(email)
    try:
        if user is None:
            raise VerifyMismatchError()
        _hasher.verify(user["password_hash"], password)
    except (VerifyMismatchError, InvalidHashError):
        _slow_down(min(3.0, SLOWDOWN_SECONDS_PER_FAILURE * (failures + 1)))
        _record_failure(email, failures + 1)
        left = LOCK_AFTER_FAILURES - failures - 1
        if left > 0:
            said = ngettext(
                "Wrong e-mail or password. {count} attempt left before a {minutes}-minute lock.",
                "Wrong e-mail or password. {count} attempts left before a {minutes}-minute lock.",
                left,
                minutes=LOCK_MINUTES,
            )
        else:
            said = _(
                "Wrong e-mail or password. The account is locked for {minutes} minutes.",
                minutes=LOCK_MINUTES,
            )
        raise SignInRefused(said) from None
    if failures:
        sign_ins.clear_failures(email)
    return Actor(email, user["role"])


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(actor: Actor) -> str:
    """A new browser-session token for the cookie; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    expires_at = datetime.now(UTC) + timedelta(days=SESSION_DAYS)
    sign_ins.save_session(_token_hash(token), actor.email, actor.role, expires_at)
    return token


def session_actor(token: str | None) -> Actor | None:
    if not isinstance(token, str) or not token:
        return None
    email = sign_ins.session_email(_token_hash(token))
    if email is None:
        return None
    role = local_users().get(email)  # a removed or re-roled account takes effect at once
    return Actor(email, role) if role else None


def as_of_now(actor: Actor) -> Actor | None:
    """The signed-in person with the role they have now, or None once their account is
    gone: a change made by an admin reaches open sessions at their next interaction."""
    if oidc_configured():
        return Actor(actor.email, role_for_email(actor.email) or "")
    role = local_users().get(actor.email)
    return Actor(actor.email, role) if role else None


def close_session(token: str | None) -> None:
    if isinstance(token, str) and token:
        sign_ins.delete_session(_token_hash(token))


# --- OIDC (st.login): e-mail to role ---------------------------------------------------------


def oidc_configured() -> bool:
    return bool(_secrets().get("auth"))


def role_for_email(email: str | None, rules: dict | None = None) -> str | None:
    """The role configured for an e-mail: explicit lists first, then a domain default.

    [console_roles] in .streamlit/secrets.toml:
        admins = ["ana@example.org"]; organizers = [...]; finance = [...]
        domain = "example.org"; domain_role = "organizer"
    """
    if not email:
        return None
    rules = rules if rules is not None else _secrets().get("console_roles", {})
    email = email.strip().lower()
    for role, key in ((ADMIN, "admins"), ("finance", "finance"), ("organizer", "organizers")):
        if email in {e.lower() for e in rules.get(key, [])}:
            return role
    domain = (rules.get("domain") or "").lower()
    if domain and email.endswith("@" + domain) and rules.get("domain_role") in ROLES:
        return rules["domain_role"]
    return None


def list_roles(actor: Actor) -> dict[str, str]:
    require(actor, ADMIN)
    return local_users()
