"""Disputes: the open ones by evidence deadline, each with its page in Stripe's dashboard,
and what the closed ones did to net."""

import time

from console.formatting.i18n import _
from console.services import disputes
from console.services.access import ADMIN, FINANCE, ORGANIZER
from console.ui.common import export_name, open_data_page
from console.ui.disputes_view import (
    dispute_history_table,
    dispute_totals_table,
    net_effect_chart,
    open_disputes_table,
    stop_with_no_disputes,
)
from console.ui.tables import csv_download

page = open_data_page(_("Disputes"), ADMIN, FINANCE, ORGANIZER, link_to_disputes=False)
actor, livemode = page.actor, page.settings.livemode
opened = disputes.open_disputes(actor, livemode, int(time.time()))
history = disputes.dispute_history(actor, livemode)
if opened.empty and history.empty:
    stop_with_no_disputes()

open_disputes_table(opened)
if not opened.empty:
    csv_download(opened, export_name("open_disputes", page.settings), key="open_disputes_csv")

if not history.empty:
    dispute_totals_table(disputes.history_totals(actor, livemode))
    net_effect_chart(disputes.net_effect_by_month(actor, livemode))
    dispute_history_table(history)
    csv_download(history, export_name("dispute_history", page.settings), key="history_csv")
