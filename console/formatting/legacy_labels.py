"""Transitional: the keyed labels, until every caller marks its English text with `_()`."""

from __future__ import annotations

from console.formatting.i18n import _filled, speaking

_LABELS: dict[str, tuple[str, str]] = {
    # navigation and titles
    "overview": ("Revenue", "Revenus"),
    "registrants": ("Paid registrants", "Inscrits payants"),
    "fees": ("Stripe fees", "Frais Stripe"),
    "reconciliation": ("Reconciliation", "Rapprochement"),
    "sync": ("Sync status", "Synchronisation"),
    # money
    "gross": ("Gross", "Brut"),
    "refunded": ("Refunded", "Remboursé"),
    "disputed": ("Lost to disputes", "Perdu en litiges"),
    "paid_in_payment_currency": (
        "Paid by registrants, in the currency they paid in",
        "Payé par les inscrits, dans la devise de leur paiement",
    ),
    "settled_in_balance_currency": (
        "Stripe fees and net, in the currency they settled in (your Stripe balance)",
        "Frais Stripe et net, dans la devise de règlement (votre solde Stripe)",
    ),
    "stripe_fees": ("Stripe fees", "Frais Stripe"),
    "net": ("Net", "Net"),
    "paid_registrants": ("Paid registrants", "Inscrits payants"),
    "charges": ("Payments", "Paiements"),
    "effective_rate": ("Effective fee rate", "Taux effectif"),
    "fee_per_registrant": ("Fee per paid registration", "Frais par inscription payée"),
    "currency": ("Currency", "Devise"),
    "settled_in": ("Settled in", "Réglé en"),
    "month": ("Month", "Mois"),
    "webinar": ("Webinar", "Webinaire"),
    "webinar_id": ("Webinar id", "Id du webinaire"),
    "organizer": ("Organizer", "Organisateur"),
    "name": ("Name", "Nom"),
    "email": ("E-mail", "E-mail"),
    "amount_paid": ("Amount paid", "Montant payé"),
    "amount_refunded": ("Refunded", "Remboursé"),
    "fee": ("Stripe fee", "Frais Stripe"),
    "refund_pending": ("Refund pending", "Remboursement en cours"),
    "dispute_status": ("Dispute", "Litige"),
    "status": ("Status", "Statut"),
    "card_brand": ("Card", "Carte"),
    "paid_at": ("Paid at (UTC)", "Payé le (UTC)"),
    "charge_id": ("Stripe charge", "Paiement Stripe"),
    "status_paid": ("Paid", "Payé"),
    "status_partially_refunded": ("Partially refunded", "Remboursé en partie"),
    "status_refunded": ("Refunded", "Remboursé"),
    "status_free": ("Free registration", "Inscription gratuite"),
    "fee_card_payments": ("Card payments", "Paiements par carte"),
    "fee_converted_card_payments": (
        "Card payments converted to the settlement currency",
        "Paiements par carte convertis dans la devise de règlement",
    ),
    "fee_refunds": ("Refunds", "Remboursements"),
    "fee_disputes": ("Disputes (dispute fees)", "Litiges (frais de litige)"),
    "transactions": ("Transactions", "Transactions"),
    "console_transactions": ("Console: transactions", "Console : transactions"),
    "stripe_transactions": ("Stripe: transactions", "Stripe : transactions"),
    "console_fees": ("Console: fees", "Console : frais"),
    "stripe_fees_now": ("Stripe: fees", "Stripe : frais"),
    "console_net": ("Console: net", "Console : net"),
    "stripe_net": ("Stripe: net", "Stripe : net"),
    "stripe_balance": ("Stripe balance", "Solde Stripe"),
    "difference": ("Difference", "Écart"),
    "first_rows": (
        "Showing the first {shown} of {total}: search to narrow, or download the CSV for all.",
        "Les {shown} premiers sur {total} : affinez la recherche, ou téléchargez le CSV.",
    ),
    # filters
    "period": ("Period", "Période"),
    "all_webinars": ("All webinars", "Tous les webinaires"),
    "all_organizers": ("All organizers", "Tous les organisateurs"),
    "all_currencies": ("All currencies", "Toutes les devises"),
    "grain": ("Group by", "Regrouper par"),
    "day": ("Day", "Jour"),
    "week": ("Week", "Semaine"),
    "month_grain": ("Month", "Mois"),
    "search": ("Search name, e-mail or charge", "Rechercher nom, e-mail ou paiement"),
    "sort_by": ("Sort by", "Trier par"),
    "download_csv": ("Download CSV", "Télécharger le CSV"),
    "per_webinar": ("Per webinar", "Par webinaire"),
    "over_time": ("Revenue over time", "Revenus dans le temps"),
    "vs_previous": ("vs previous period", "vs période précédente"),
    "open_registrants": ("View paid registrants", "Voir les inscrits payants"),
    "choose_webinar": ("Webinar", "Webinaire"),
    # states
    "test_mode": ("TEST MODE: Stripe test data", "MODE TEST : données de test Stripe"),
    "no_key": (
        "No Stripe key yet. Set STRIPE_API_KEY in the environment or in "
        ".streamlit/secrets.toml (see the README), then run a sync.",
        "Pas encore de clé Stripe. Définissez STRIPE_API_KEY dans l'environnement ou dans "
        ".streamlit/secrets.toml (voir le README), puis lancez une synchronisation.",
    ),
    "no_sync": (
        "No sync yet. Press “Sync now” on the Sync status page, or run `console sync`.",
        "Aucune synchronisation pour l'instant. Cliquez sur « Synchroniser » dans la page "
        "Synchronisation, ou lancez `console sync`.",
    ),
    "no_payments": (
        "No payments in this selection. Widen the period or pick another webinar; once "
        "registrants pay, their payments appear after the next sync.",
        "Aucun paiement dans cette sélection. Élargissez la période ou choisissez un autre "
        "webinaire ; les paiements apparaissent après la prochaine synchronisation.",
    ),
    "stale": (
        "The data is more than {hours} hours old (last sync {when}). Sync now for current figures.",
        "Les données ont plus de {hours} heures (dernière synchronisation {when}). "
        "Synchronisez pour des chiffres à jour.",
    ),
    "sync_now": ("Sync now", "Synchroniser"),
    "sync_running": ("Syncing with Stripe…", "Synchronisation avec Stripe…"),
    "sync_done": ("Sync finished: {summary}", "Synchronisation terminée : {summary}"),
    "sync_failed": ("Sync failed: {reason}", "Échec de la synchronisation : {reason}"),
    "last_sync": ("Last sync", "Dernière synchronisation"),
    "objects": ("Objects", "Objets"),
    "requests": ("Requests", "Requêtes"),
    "never": ("never", "jamais"),
    "compare_now": ("Compare with Stripe now", "Comparer avec Stripe"),
    "in_agreement": (
        "The console agrees with Stripe: no difference.",
        "La console est en accord avec Stripe : aucune différence.",
    ),
    "differences_found": (
        "{count} difference(s) with Stripe. A sync usually resolves them.",
        "{count} différence(s) avec Stripe. Une synchronisation les résout en général.",
    ),
    "fee_breakdown": ("Fees by type", "Frais par type"),
    "rate_over_time": ("Effective fee rate over time", "Taux effectif dans le temps"),
}


def t(key: str, locale: str = "en", **values: object) -> str:
    english, french = _LABELS[key]
    with speaking(locale) as language:
        return _filled(french if language == "fr" else english, values)
