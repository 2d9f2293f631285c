"""Who may do what. Every service function takes the acting user and checks here."""

from __future__ import annotations

from dataclasses import dataclass

ADMIN, ORGANIZER, FINANCE = "admin", "organizer", "finance"
ROLES = (ADMIN, ORGANIZER, FINANCE)


class PermissionDenied(PermissionError):
    """The acting user's role does not allow this; nothing was read or written."""


@dataclass(frozen=True)
class Actor:
    email: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


def require(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise PermissionDenied(
            f"{actor.email} ({actor.role}) may not do this; it needs the role "
            f"{' or '.join(roles)}. Ask an admin."
        )


def require_webinar_owner(actor: Actor, organizer_email: str) -> None:
    """Admins manage every webinar; organizers only their own."""
    require(actor, ADMIN, ORGANIZER)
    if actor.role == ORGANIZER and actor.email.lower() != organizer_email.lower():
        raise PermissionDenied(f"{actor.email} may manage only their own webinars.")


def organizer_scope(actor: Actor) -> str | None:
    """The organizer whose data this actor may read, or None for everything."""
    return actor.email.lower() if actor.role == ORGANIZER else None


def in_scope(organizer: str) -> str:
    """The organizer filter as SQL, written once: true when the row's organizer (an SQL
    expression) is `$scope`, and for every row when `$scope` is NULL (organizer_scope)."""
    return f"($scope IS NULL OR lower({organizer}) = $scope)"
