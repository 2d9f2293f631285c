"""The Payouts page's pieces: the deposits over time, the list, and one payout opened: what
it holds per webinar, and whether its lines add up to its amount."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from console.formatting.i18n import _
from console.formatting.presentation import MONEY_COLUMNS, formatted_money, payout_status_text
from console.ui import charts
from console.ui.common import choose_from_link, keep_choice_in_address, money
from console.ui.tables import labels, table


def check_text(row: pd.Series) -> str:
    """“✓” when the payout's lines add up to its amount; otherwise the difference, always."""
    if not row["contents_listed"]:
        return _("listed once paid") if row["automatic"] else _("not listed by Stripe")
    if row["difference"] == 0:
        return "✓"
    return _("off by {amount}", amount=money(int(row["difference"]), row["currency"]))


def destination_text(last4: object) -> str:
    return f"•••• {last4}" if isinstance(last4, str) else ""


def payouts_chart(rows: pd.DataFrame) -> None:
    st.subheader(_("Deposits by arrival date"))
    st.plotly_chart(charts.payouts_over_time(rows), width="stretch")


def payouts_table(rows: pd.DataFrame) -> None:
    shown = formatted_money(rows, MONEY_COLUMNS["payouts"])
    shown["status"] = [payout_status_text(status) for status in rows["status"]]
    shown["destination_last4"] = [destination_text(last4) for last4 in rows["destination_last4"]]
    shown["check"] = [check_text(row) for _i, row in rows.iterrows()]
    columns = [
        "arrival_date",
        "amount",
        "status",
        "destination_last4",
        "charges",
        "refunds",
        "disputes",
        "fees",
        "net",
        "check",
        "payout_id",
    ]
    table(shown[columns], labels(*columns))


def payout_choice(rows: pd.DataFrame) -> pd.Series:
    """The payout to open (newest first), arriving with ?payout=po_… from a link."""
    ids = list(rows["payout_id"])
    choose_from_link("payout", "payout_choice", ids)
    by_id = rows.set_index("payout_id", drop=False)

    def describe(payout_id: str) -> str:
        row = by_id.loc[payout_id]
        return (
            f"{row['arrival_date']} · {money(int(row['amount']), row['currency'])} · "
            f"{payout_status_text(row['status'])} ({payout_id})"
        )

    chosen = st.selectbox(_("Open a payout"), ids, key="payout_choice", format_func=describe)
    keep_choice_in_address("payout", "payout_choice", chosen)
    return by_id.loc[chosen]


def payout_summary(payout: pd.Series) -> None:
    """The payout's amount against the sum of its lines, and what its status means."""
    currency = payout["currency"]
    left, middle, right = st.columns(3)
    left.metric(_("Payout amount"), money(int(payout["amount"]), currency))
    middle.metric(_("Sum of its transactions"), money(int(payout["net"]), currency))
    right.metric(_("Transactions"), int(payout["transactions"]))
    if not payout["contents_listed"] and payout["automatic"]:
        st.info(
            _(
                "Stripe lists what an automatic payout holds once it has reconciled it, when "
                "it is paid. Sync after it arrives to see what this one holds."
            )
        )
    elif not payout["contents_listed"]:
        st.info(
            _(
                "This payout was made by hand: Stripe does not list what a manual payout "
                "holds. Match it against the balance transactions of its period."
            )
        )
    elif payout["difference"] == 0:
        st.success(_("Its transactions add up to the payout's amount, to the unit."))
    else:
        st.error(
            _(
                "Its transactions add up to {net}, not {amount}: off by {difference}. Run a "
                "sync; if the difference stays, compare with the payout in Stripe's dashboard.",
                net=money(int(payout["net"]), currency),
                amount=money(int(payout["amount"]), currency),
                difference=money(int(payout["difference"]), currency),
            )
        )
    if payout["status"] == "failed":
        reason = payout["failure_code"] or _("no reason given")
        if isinstance(payout["failure_message"], str):
            reason = f"{reason}: {payout['failure_message']}"
        st.warning(
            _(
                "This payout failed ({code}): the bank returned it and Stripe put the money "
                "back in the balance, to be paid out again in a later payout.",
                code=reason,
            )
        )


def payout_webinars_table(by_webinar: pd.DataFrame, currency: str) -> None:
    """What the payout holds, per webinar; `other` is money that is no webinar's."""
    st.subheader(_("What it holds, per webinar"))
    frame = by_webinar.assign(currency=currency)
    shown = formatted_money(
        frame, {column: "currency" for column in ("charges", "refunds", "disputes", "fees", "net")}
    )
    shown["title"] = [
        title if isinstance(title, str) else webinar_text(webinar)
        for title, webinar in zip(by_webinar["title"], by_webinar["webinar_id"], strict=True)
    ]
    columns = ["title", "payment_count", "charges", "refunds", "disputes", "fees", "net"]
    table(shown[columns], labels(*columns))


def webinar_text(webinar_id: object) -> str:
    """A line's webinar where the catalog has no title."""
    if not isinstance(webinar_id, str):
        return _("No payment's (such as a failed payout's money, returned)")
    if webinar_id == "unattributed":
        return _("Payments of no webinar")
    return webinar_id
