"""Cancelling a webinar (or one of its sessions): everyone cancelled, every payment refunded
in full, as a resumable job.

Each paid registrant's refund uses a request id derived from the job and the charge, so a
second run after a closed browser, a restart or Stripe errors sends the same idempotency
keys, skips what is done, and finishes the rest. Requests are paced under Stripe's rate
limit; the SDK and our back-off absorb the 429s that still come.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from console.domain.catalog import RegistrationStatus
from console.formatting.csv_export import to_csv_bytes
from console.formatting.i18n import _
from console.formatting.presentation import column_heading
from console.mail import mailer, notifications
from console.services import audit, refunds
from console.services.access import Actor, require_webinar_owner
from console.settings import StripeSettings, stripe_settings
from console.store import cancellation_jobs, catalog, db, refund_requests, rollups
from console.stripe_api import gateway, sync_rate

REQUESTS_PER_REFUND = 2  # the check at Stripe, then the refund


@dataclass
class JobProgress:
    total: int
    done: int = 0
    refunded: int = 0
    skipped: int = 0
    failed: int = 0
    cancelled: int = 0


def start_cancellation(
    actor: Actor, webinar_id: str, reason: str, session_no: int | None = None
) -> str:
    """Record the cancellation and close registration; run_cancellation does the refunds."""
    webinar = _owned_webinar(actor, webinar_id)
    job_id = "job_" + uuid.uuid4().hex[:12]
    with db.connect(write=True) as con:
        cancellation_jobs.open_job(con, job_id, webinar_id, session_no, reason, actor.email)
        if session_no is None:
            catalog.cancel_webinar(con, webinar_id)
        else:
            catalog.cancel_session(con, webinar_id, session_no)
        audit.record(
            con,
            actor.email,
            "cancel webinar" if session_no is None else f"cancel session {session_no}",
            webinar_id=webinar_id,
            reason=reason,
            before={"status": webinar.status},
            after={"job": job_id},
        )
    return job_id


def _owned_webinar(actor: Actor, webinar_id: str):
    webinar = catalog.load_webinar(webinar_id)
    if webinar is None:
        raise LookupError(_("There is no webinar {webinar_id}.", webinar_id=webinar_id))
    require_webinar_owner(actor, webinar.organizer_email)
    return webinar


def unfinished_job(actor: Actor, webinar_id: str) -> str | None:
    """The cancellation of the webinar left half done, to resume (its admins and owner)."""
    _owned_webinar(actor, webinar_id)
    return cancellation_jobs.unfinished_job(webinar_id)


def _job(job_id: str) -> tuple[str, str | None]:
    row = cancellation_jobs.load_job(job_id)
    if row is None:
        raise LookupError(_("There is no cancellation job {job_id}.", job_id=job_id))
    return row


def _save_item(
    job_id: str,
    key: str,
    name,
    email,
    charge_id,
    currency,
    amount: int,
    outcome: str,
    detail: str | None,
    refund_id: str | None,
) -> None:
    cancellation_jobs.save_item(
        cancellation_jobs.Item(
            job_id, key, name, email, charge_id, currency, amount, outcome, detail, refund_id
        )
    )


def run_cancellation(
    actor: Actor,
    job_id: str,
    on_progress: Callable[[JobProgress], None] | None = None,
    settings: StripeSettings | None = None,
    requests_per_second: float | None = None,
) -> JobProgress:
    """Cancel and refund everyone the job has not handled yet. Safe to run again."""
    settings = settings or stripe_settings()
    webinar_id, reason = _job(job_id)
    webinar = _owned_webinar(actor, webinar_id)
    charges, unpaid = cancellation_jobs.work_left(job_id, webinar_id, settings.livemode)
    before = cancellation_jobs.outcome_counts(job_id)
    progress = JobProgress(
        total=sum(before.values()) + len(charges) + len(unpaid), done=sum(before.values())
    )
    progress.refunded = sum(before.get(status, 0) for status in ("refunded", *refunds.IN_FLIGHT))
    progress.skipped = before.get("skipped_already_refunded", 0)
    progress.cancelled = before.get("cancelled", 0)
    # The same pace as the sync's (Stripe's limit for the key's mode, or the setting).
    pause = REQUESTS_PER_REFUND / (requests_per_second or sync_rate.configured_rate(settings))
    try:
        for charge in charges:
            started = time.monotonic()
            _refund_one(actor, job_id, webinar, charge, reason, settings, progress)
            progress.done += 1
            if on_progress:
                on_progress(progress)
            time.sleep(max(0.0, pause - (time.monotonic() - started)))
        for registration in unpaid:
            _cancel_unpaid(actor, job_id, webinar, registration, reason)
            progress.cancelled += 1
            progress.done += 1
            if on_progress:
                on_progress(progress)
    finally:
        rollups.refresh()  # what was refunded shows on the pages, even after a stop
    if progress.failed == 0:
        cancellation_jobs.finish_job(job_id)
    return progress


def _refund_one(
    actor: Actor,
    job_id: str,
    webinar,
    charge: dict,
    reason: str | None,
    settings: StripeSettings,
    progress: JobProgress,
) -> None:
    key = charge["charge_id"]
    common = (charge["name"], charge["email"], key, charge["currency"])
    if charge["amount_refunded"] >= charge["amount_paid"]:
        _save_item(job_id, key, *common, 0, "skipped_already_refunded", _("refunded before"), None)
        progress.skipped += 1
        return
    request_id = f"{job_id}-{key}"
    known = refunds.KnownCharge.of(webinar, charge)  # read with the job's work: not again
    try:
        if refund_requests.load(request_id) is not None:
            # Asked before the job stopped, its answer perhaps lost: finish that request,
            # with its key, rather than find the payment refunded and skip it.
            outcome = refunds.drive(actor, request_id, settings)
        else:
            plan = refunds.plan_refund(actor, key, None, settings, known)
            outcome = refunds.issue_refund(
                actor,
                request_id,
                plan,
                reason="requested_by_customer",
                # An internal note, as the person who cancelled would have typed it.
                note=_("webinar cancelled: {reason}", reason=reason)
                if reason
                else _("webinar cancelled"),
                cancel_registration=True,
                job_id=job_id,
                full=True,
                settings=settings,
                refresh_totals=False,
                known=known,
            )
    except refunds.AlreadyRefunded as refused:  # refunded elsewhere since the last sync
        _save_item(job_id, key, *common, 0, "skipped_already_refunded", str(refused), None)
        progress.skipped += 1
        return
    except refunds.RefundRefused as refused:
        _save_item(job_id, key, *common, 0, "failed", str(refused), None)
        progress.failed += 1
        return
    except gateway.StripeProblem as problem:
        _save_item(job_id, key, *common, 0, "failed", str(problem), None)
        progress.failed += 1
        return
    _save_item(
        job_id,
        key,
        *common,
        outcome.amount,
        "refunded" if outcome.status == "succeeded" else outcome.status,
        None,
        outcome.stripe_refund_id,
    )
    if outcome.status == "succeeded" or outcome.status in refunds.IN_FLIGHT:
        progress.refunded += 1
    else:
        progress.failed += 1


def _cancel_unpaid(
    actor: Actor, job_id: str, webinar, registration: dict, reason: str | None
) -> None:
    with db.connect(write=True) as con:
        catalog.cancel_registration(con, registration["registrant_id"])
        audit.record(
            con,
            actor.email,
            "cancel registration",
            webinar_id=webinar.webinar_id,
            subject=registration["email"],
            reason=reason,
            before={"status": registration["status"]},
            after={"status": "cancelled"},
        )
    if registration["status"] == RegistrationStatus.REGISTERED:  # never paid: no refund mail
        mailer.send_once(
            f"cancel-{webinar.webinar_id}-{registration['registrant_id']}",
            notifications.cancellation_message(
                registration["email"],
                registration["name"],
                webinar,
                reason,
                paid=not webinar.is_free,
                language=catalog.language_of(webinar.webinar_id, registration["email"]),
            ),
        )
    _save_item(
        job_id,
        registration["registrant_id"],
        registration["name"],
        registration["email"],
        None,
        None,
        0,
        "cancelled",
        None,
        None,
    )


def job_summary(actor: Actor, job_id: str) -> pd.DataFrame:
    """Who was refunded, skipped or failed in a cancellation (its webinar's admins and owner)."""
    webinar_id, _reason = _job(job_id)
    _owned_webinar(actor, webinar_id)
    return cancellation_jobs.items_frame(job_id)


def job_summary_csv(actor: Actor, job_id: str) -> bytes:
    """The summary for a spreadsheet, its headings in the current language."""
    summary = job_summary(actor, job_id)
    return to_csv_bytes(summary.rename(columns=column_heading))
