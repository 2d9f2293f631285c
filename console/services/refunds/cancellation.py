"""A registration cancelled without a refund: the registrant is told why; no money moves."""

from __future__ import annotations

from console.formatting.i18n import _
from console.mail import mailer, notifications
from console.services import audit
from console.services.access import Actor, require_webinar_owner
from console.services.refunds.issuing import RefundRefused
from console.store import catalog, db


def cancel_registration_without_refund(
    actor: Actor, webinar_id: str, email: str, reason: str
) -> None:
    """Cancel one registration and tell the registrant; no money moves."""
    webinar = catalog.load_webinar(webinar_id)
    if webinar is None:
        raise RefundRefused(_("There is no webinar {webinar_id}.", webinar_id=webinar_id))
    require_webinar_owner(actor, webinar.organizer_email)
    if not reason.strip():
        raise RefundRefused(_("Give the reason for the cancellation: the registrant reads it."))
    with db.connect(write=True) as con:
        rows = catalog.cancel_registrations_by_email(con, webinar_id, email)
        if not rows:
            raise RefundRefused(
                _("{email} has no active registration for this webinar.", email=email)
            )
        audit.record(
            con,
            actor.email,
            "cancel registration",
            webinar_id=webinar_id,
            subject=email,
            reason=reason,
            before={"status": "registered"},
            after={"status": "cancelled", "refund": None},
        )
    mailer.send_once(
        f"cancel-{webinar_id}-{rows[0][0]}",
        notifications.cancellation_message(
            email,
            rows[0][1],
            webinar,
            reason,
            paid=not webinar.is_free,
            language=catalog.language_of(webinar_id, email),
        ),
    )
