"""Revenue overview: KPI cards, revenue over time, per-webinar table."""

from console.formatting.i18n import _
from console.services import analytics
from console.services.access import ADMIN, FINANCE, ORGANIZER
from console.ui.common import export_name, open_data_page, stop_with_no_payments
from console.ui.revenue_view import (
    grain_choice,
    kpi_cards,
    open_registrants_picker,
    per_webinar_table,
    revenue_chart,
    revenue_filters,
)
from console.ui.tables import csv_download

page = open_data_page(_("Revenue"), ADMIN, ORGANIZER, FINANCE)
choices = analytics.filter_choices(page.actor, page.settings.livemode)
selection = revenue_filters(choices)

presented = page.read("kpis", selection, "presented")
settled = page.read("kpis", selection, "settled")
if presented.empty and settled.empty:
    stop_with_no_payments()
kpi_cards(presented, analytics.PRESENTED, _("Paid by registrants, in the currency they paid in"))
kpi_cards(
    settled,
    analytics.SETTLED,
    _("Stripe fees and net, in the currency they settled in (your Stripe balance)"),
)

grain = grain_choice(all_time=selection.start is None)
revenue_chart(page.read("revenue_over_time", selection, grain), grain)

by_webinar = page.read("revenue_by_webinar", selection)
per_webinar_table(by_webinar)
open_registrants_picker(by_webinar, choices.webinars)
csv_download(by_webinar, export_name("revenue_by_webinar", page.settings), key="revenue_csv")
