"""Does the console agree with Stripe? Totals per settlement currency, and every object that
differs or is missing on either side, read from Stripe's API at the moment of asking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from console.formatting.i18n import _
from console.services.access import ADMIN, FINANCE, Actor, require
from console.settings import StripeSettings, stripe_settings
from console.store import db
from console.stripe_api import gateway

# (Stripe list, mirror table, fields compared)
COMPARED = (
    ("charges", "stripe_charges", ("amount", "currency", "status")),
    ("refunds", "stripe_refunds", ("amount", "currency", "status")),
    ("disputes", "stripe_disputes", ("amount", "currency", "status")),
    ("payouts", "stripe_payouts", ("amount", "currency", "status")),
    (
        "balance_transactions",
        "stripe_balance_transactions",
        ("amount", "fee", "net", "currency", "reporting_category"),
    ),
)


@dataclass(frozen=True)
class Reconciliation:
    totals: pd.DataFrame  # one row per settlement currency
    differences: pd.DataFrame  # kind, id, field, console, stripe

    @property
    def in_agreement(self) -> bool:
        return self.differences.empty


def _mirror_objects(table: str, fields: tuple[str, ...], livemode: bool) -> dict[str, dict]:
    with db.connect() as con:
        rows = con.execute(
            f"SELECT id, {', '.join(fields)} FROM {table} WHERE livemode = ?",  # noqa: S608
            [livemode],
        ).fetchall()
    return {row[0]: dict(zip(fields, row[1:], strict=True)) for row in rows}


def _differences(
    kind: str, ours: dict[str, dict], theirs: dict[str, dict], fields: tuple[str, ...]
) -> list[dict]:
    found = []
    for object_id in sorted(ours.keys() | theirs.keys()):
        mine, stripe = ours.get(object_id), theirs.get(object_id)
        if mine is None:
            found.append(
                {
                    "kind": kind,
                    "id": object_id,
                    "field": _("missing in console"),
                    "console": None,
                    "stripe": _("present"),
                }
            )
        elif stripe is None:
            found.append(
                {
                    "kind": kind,
                    "id": object_id,
                    "field": _("missing at Stripe"),
                    "console": _("present"),
                    "stripe": None,
                }
            )
        else:
            for field in fields:
                if mine[field] != stripe.get(field):
                    found.append(
                        {
                            "kind": kind,
                            "id": object_id,
                            "field": field,
                            "console": str(mine[field]),
                            "stripe": str(stripe.get(field)),
                        }
                    )
    return found


def _totals(console_txns: dict[str, dict], stripe_txns: list[dict], balance: dict) -> pd.DataFrame:
    rows: dict[str, dict] = {}

    def row(currency: str) -> dict:
        return rows.setdefault(
            currency,
            {
                "settlement_currency": currency,
                "console_transactions": 0,
                "stripe_transactions": 0,
                "console_fees": 0,
                "stripe_fees": 0,
                "console_net": 0,
                "stripe_net": 0,
                "stripe_balance": 0,
            },
        )

    for txn in console_txns.values():
        entry = row(txn["currency"])
        entry["console_transactions"] += 1
        entry["console_fees"] += txn["fee"]
        entry["console_net"] += txn["net"]
    for txn in stripe_txns:
        entry = row(txn["currency"])
        entry["stripe_transactions"] += 1
        entry["stripe_fees"] += txn["fee"]
        entry["stripe_net"] += txn["net"]
    for part in ("available", "pending"):
        for amount in balance.get(part, []):
            row(amount["currency"])["stripe_balance"] += amount["amount"]
    frame = pd.DataFrame(sorted(rows.values(), key=lambda r: r["settlement_currency"]))
    if not frame.empty:
        frame["difference"] = frame["stripe_net"] - frame["console_net"]
    return frame


def reconcile(
    actor: Actor,
    settings: StripeSettings | None = None,
    on_page: Callable[[int], None] | None = None,
) -> Reconciliation:
    """Compare the mirror with what Stripe's API reports now (admins and finance)."""
    require(actor, ADMIN, FINANCE)
    settings = settings or stripe_settings()
    client = gateway.client(settings)
    differences: list[dict] = []
    console_txns: dict[str, dict] = {}
    stripe_txns: list[dict] = []
    for resource, table, fields in COMPARED:
        theirs_list = list(gateway.every_object(client, resource, on_page=on_page))
        theirs = {obj["id"]: obj for obj in theirs_list}
        ours = _mirror_objects(table, fields, settings.livemode)
        differences += _differences(resource, ours, theirs, fields)
        if table == "stripe_balance_transactions":
            console_txns, stripe_txns = ours, theirs_list
    balance = gateway.retrieve_balance(client)
    columns = ["kind", "id", "field", "console", "stripe"]
    return Reconciliation(
        totals=_totals(console_txns, stripe_txns, balance),
        differences=pd.DataFrame(differences, columns=columns),
    )
