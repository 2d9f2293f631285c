"""A registration cancelled without a refund (console/services/refunds/cancellation.py)."""

from __future__ import annotations

import pytest

from console.domain.catalog import Registration, Webinar
from console.formatting import i18n
from console.services import refunds
from console.store import db
from console.store.catalog import save_registrations, save_webinars
from tests.services.refunds.support import (
    ANN,
    POLICY,
)


def test_cancel_a_free_registration_tells_the_registrant(shop):
    _local, _client, inbox = shop
    with db.connect(write=True) as con:
        save_webinars(
            con, [Webinar("wb_free", "Open hour", "ann@example.org", description="Free. " + POLICY)]
        )
        save_registrations(
            con,
            [
                Registration(
                    "reg_1",
                    "wb_free",
                    "Zoé",
                    "zoe@example.org",
                    "registered",
                    None,
                    __import__("datetime").datetime(2026, 11, 1),
                )
            ],
        )
    with pytest.raises(refunds.RefundRefused, match="Give the reason"):
        refunds.cancel_registration_without_refund(ANN, "wb_free", "zoe@example.org", " ")
    with i18n.speaking("fr"):
        with pytest.raises(refunds.RefundRefused, match="Indiquez le motif de l'annulation"):
            refunds.cancel_registration_without_refund(ANN, "wb_free", "zoe@example.org", " ")
        with pytest.raises(refunds.RefundRefused) as nobody:
            refunds.cancel_registration_without_refund(ANN, "wb_free", "bob@example.org", "x")
        with pytest.raises(refunds.RefundRefused) as no_webinar:
            refunds.cancel_registration_without_refund(ANN, "wb_nope", "zoe@example.org", "x")
    assert str(nobody.value) == "bob@example.org n'a pas d'inscription active à ce webinaire."
    assert str(no_webinar.value) == "Il n'y a pas de webinaire wb_nope."

    refunds.cancel_registration_without_refund(ANN, "wb_free", "zoe@example.org", "asked to")

    with db.connect() as con:
        assert con.execute("SELECT status FROM registrants").fetchone() == ("cancelled",)
    [mail] = inbox.messages
    assert "nothing to refund" in mail.get_content() and "asked to" in mail.get_content()
