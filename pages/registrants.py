"""Paid registrants of one webinar: search, sort, CSV export, links to Stripe."""

from console.formatting.i18n import _
from console.services import analytics
from console.services.access import ADMIN, FINANCE, ORGANIZER
from console.ui.common import export_name, flash, open_data_page, stop_with_no_payments
from console.ui.refund_panel import cancel_without_refund_panel, refund_panel, refund_requests_table
from console.ui.registrants_view import registrant_search, registrants_table, registrants_webinar
from console.ui.tables import csv_download

SHOWN_ROWS = 1000  # more is for the CSV: a table of 25,000 rows helps nobody

page = open_data_page(_("Paid registrants"), ADMIN, ORGANIZER, FINANCE)
actor, livemode = page.actor, page.settings.livemode
webinar_id = registrants_webinar(analytics.filter_choices(actor, livemode).webinars)
if webinar_id is None:
    stop_with_no_payments()
flash("refund_flash")

search, sort = registrant_search()
rows = page.read("registrant_rows", webinar_id, search, sort, SHOWN_ROWS)
if rows.empty:
    stop_with_no_payments()
registrants_table(rows, analytics.registrant_count(actor, livemode, webinar_id), SHOWN_ROWS)
csv_download(
    # Built on click, with every row, not only those shown.
    lambda: analytics.registrants_csv(
        analytics.registrant_rows(actor, livemode, webinar_id, search, sort), page.lang
    ),
    export_name(f"registrants_{webinar_id}", page.settings),
    key="registrants_csv",
)

refund_requests_table(actor, webinar_id)
refund_panel(actor, rows, page.lang)
if actor.role in (ADMIN, ORGANIZER):  # finance refunds, but does not cancel registrations
    cancel_without_refund_panel(actor, webinar_id, rows)
