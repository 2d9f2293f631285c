"""The console's totals against Stripe's API, now; every difference listed."""

from console.formatting.i18n import _
from console.services.access import ADMIN, FINANCE
from console.ui.common import open_data_page, sync_now_button
from console.ui.reconciliation_view import comparison_with_stripe, reconciliation_report

page = open_data_page(_("Reconciliation"), ADMIN, FINANCE)
sync_now_button(page.actor, "reconciliation_sync")
result = comparison_with_stripe(page.actor, page.settings)
reconciliation_report(result)
