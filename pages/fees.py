"""Stripe fees by month and settlement currency, by fee type, and the effective rate."""

from console.formatting.i18n import _
from console.services.access import ADMIN, FINANCE
from console.ui.common import export_name, open_data_page, stop_with_no_payments
from console.ui.fees_view import (
    effective_rate_chart,
    fee_breakdown_table,
    fees_by_month_table,
    settled_in,
    settlement_currency_choice,
)
from console.ui.tables import csv_download

page = open_data_page(_("Stripe fees"), ADMIN, FINANCE)
monthly = page.read("fees_by_month")
if monthly.empty:
    stop_with_no_payments()

currency = settlement_currency_choice(monthly)
monthly = settled_in(monthly, currency)
fees_by_month_table(monthly)
csv_download(monthly, export_name("stripe_fees_by_month", page.settings), key="fees_csv")
effective_rate_chart(monthly)
fee_breakdown_table(settled_in(page.read("fee_breakdown"), currency))
