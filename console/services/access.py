"""Who may do what. Every service function takes the acting user and checks here."""

from __future__ import annotations

from dataclasses import dataclass

from babel.lists import format_list

from console.formatting import i18n
from console.formatting.i18n import N_, _, word_for

ADMIN, ORGANIZER, FINANCE = "admin", "organizer", "finance"
ROLES = (ADMIN, ORGANIZER, FINANCE)
# The roles as people read them (the codes stay in settings, the audit log and the CLI).
ROLE_NAMES = {ADMIN: N_("admin"), ORGANIZER: N_("organizer"), FINANCE: N_("finance")}


class PermissionDenied(PermissionError):
    """The acting user's role does not allow this; nothing was read or written."""


@dataclass(frozen=True)
class Actor:
    email: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


def role_name(role: str) -> str:
    """A role in the current language (an unknown one as it is written)."""
    return word_for(role, ROLE_NAMES)


def require(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise PermissionDenied(
            _(
                "{email} ({role}) may not do this; it needs the role {roles}. Ask an admin.",
                email=actor.email,
                role=role_name(actor.role),
                # "admin or finance" / "admin ou finance", as the language lists choices.
                roles=format_list(
                    [role_name(role) for role in roles], style="or", locale=i18n.language()
                ),
            )
        )


def require_webinar_owner(actor: Actor, organizer_email: str) -> None:
    """Admins manage every webinar; organizers only their own."""
    require(actor, ADMIN, ORGANIZER)
    if actor.role == ORGANIZER and actor.email.lower() != organizer_email.lower():
        raise PermissionDenied(_("{email} may manage only their own webinars.", email=actor.email))


def organizer_scope(actor: Actor) -> str | None:
    """The organizer whose data this actor may read, or None for everything."""
    return actor.email.lower() if actor.role == ORGANIZER else None


def in_scope(organizer: str) -> str:
    """The organizer filter as SQL, written once: true when the row's organizer (an SQL
    expression) is `$scope`, and for every row when `$scope` is NULL (organizer_scope)."""
    return f"($scope IS NULL OR lower({organizer}) = $scope)"
