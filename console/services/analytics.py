"""What the finance and organizer pages show, computed in DuckDB.

Revenue figures read the daily totals (`revenue_daily`) that each sync rebuilds, so a page
costs about the same at 10k or 1M charges. Amounts in different currencies are never
added: every figure is per currency, gross and refunds in the presentment currency, fees
and net in the settlement currency.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd

from console.domain.catalog import SEATED
from console.formatting import i18n
from console.formatting.csv_export import to_csv_bytes
from console.formatting.presentation import column_heading
from console.services.access import (
    ADMIN,
    FINANCE,
    ORGANIZER,
    Actor,
    in_scope,
    organizer_scope,
    require,
)
from console.store import db

GRAINS = ("day", "week", "month")
DASHBOARD = "https://dashboard.stripe.com"


@dataclass(frozen=True)
class RevenueFilter:
    """Which money to count: a period (inclusive days, UTC), webinars, organizer, currency."""

    start: date | None = None
    end: date | None = None
    webinar_ids: tuple[str, ...] = ()
    organizer: str | None = None
    currency: str | None = None

    def previous(self) -> RevenueFilter | None:
        """The period of the same length just before this one."""
        if self.start is None or self.end is None:
            return None
        length = (self.end - self.start).days + 1
        return replace(
            self, start=self.start - timedelta(days=length), end=self.start - timedelta(days=1)
        )

    def where(self, livemode: bool) -> tuple[str, dict]:
        """SQL conditions over `revenue_daily d LEFT JOIN webinars w`, with parameters."""
        clauses, params = ["d.livemode = $livemode"], {"livemode": livemode}
        if self.start:
            clauses.append("d.day >= $start")
            params["start"] = self.start
        if self.end:
            clauses.append("d.day <= $end")
            params["end"] = self.end
        if self.webinar_ids:
            clauses.append("list_contains($webinars, d.webinar_id)")
            params["webinars"] = list(self.webinar_ids)
        if self.organizer:
            clauses.append(in_scope("w.organizer_email"))
            params["scope"] = self.organizer.lower()
        if self.currency:
            clauses.append("(d.currency = $currency OR d.settlement_currency = $currency)")
            params["currency"] = self.currency
        return " AND ".join(clauses), params


def _scoped(actor: Actor, selection: RevenueFilter) -> RevenueFilter:
    """Organizers see their own webinars only: in tables, charts, totals and exports."""
    require(actor, ADMIN, ORGANIZER, FINANCE)
    scope = organizer_scope(actor)
    return selection if scope is None else replace(selection, organizer=scope)


# --- revenue ------------------------------------------------------------------------------


PRESENTED = ("gross", "refunded", "disputed", "paid_registrants")
SETTLED = ("fees", "net")


def kpis(actor: Actor, livemode: bool, selection: RevenueFilter, side: str) -> pd.DataFrame:
    """Totals per currency with the previous period's: for side "presented", what
    registrants paid, got back and disputed, per payment currency; for "settled", fees and
    net per settlement currency. The two are never put in one row."""
    selection = _scoped(actor, selection)
    columns = PRESENTED if side == "presented" else SETTLED
    current = _totals_by_currency(livemode, selection, side)
    before = selection.previous()
    if before is None:
        for column in columns:
            current[f"previous_{column}"] = pd.NA
        return current
    previous = _totals_by_currency(livemode, before, side).add_prefix("previous_")
    merged = current.merge(
        previous, how="left", left_on="currency", right_on="previous_currency"
    ).drop(columns="previous_currency")
    # No money in a currency during the previous period is a previous total of zero.
    previous_columns = [c for c in merged.columns if c.startswith("previous_")]
    merged[previous_columns] = merged[previous_columns].fillna(0).astype("int64")
    return merged


def _totals_by_currency(livemode: bool, selection: RevenueFilter, side: str) -> pd.DataFrame:
    where, params = selection.where(livemode)
    if side == "presented":
        totals = """currency, sum(gross)::BIGINT AS gross, sum(refunded)::BIGINT AS refunded,
               sum(disputed)::BIGINT AS disputed,
               sum(new_paid_registrants)::BIGINT AS paid_registrants"""
        grouped = "currency"
    else:
        totals = """settlement_currency AS currency, sum(fees)::BIGINT AS fees,
               sum(net)::BIGINT AS net"""
        grouped = "settlement_currency"
    sql = f"""
    SELECT {totals}
    FROM revenue_daily d LEFT JOIN webinars w USING (webinar_id) WHERE {where}
    GROUP BY {grouped} ORDER BY 1
    """  # noqa: S608 - fixed text; values are parameters
    return db.query_frame(sql, params)


def revenue_over_time(
    actor: Actor, livemode: bool, selection: RevenueFilter, grain: str
) -> pd.DataFrame:
    """Per period start (day, week or month): gross and refunds per payment currency, net
    per settlement currency; one row per (period, measure, currency)."""
    selection = _scoped(actor, selection)
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {GRAINS}")
    where, params = selection.where(livemode)
    sql = f"""
    WITH chosen AS (
        SELECT date_trunc('{grain}', d.day)::DATE AS period, d.*
        FROM revenue_daily d LEFT JOIN webinars w USING (webinar_id) WHERE {where}
    )
    SELECT period, 'gross' AS measure, currency, sum(gross)::BIGINT AS amount
    FROM chosen GROUP BY ALL
    UNION ALL
    SELECT period, 'refunded', currency, sum(refunded)::BIGINT FROM chosen GROUP BY ALL
    UNION ALL
    SELECT period, 'net', settlement_currency, sum(net)::BIGINT FROM chosen GROUP BY ALL
    ORDER BY period, measure, currency
    """  # noqa: S608 - grain is checked against GRAINS
    return db.query_frame(sql, params)


def revenue_by_webinar(actor: Actor, livemode: bool, selection: RevenueFilter) -> pd.DataFrame:
    """One row per (webinar, currency) of what this actor may see."""
    return revenue_rows(livemode, _scoped(actor, selection))


def revenue_rows(livemode: bool, selection: RevenueFilter | None = None) -> pd.DataFrame:
    """One row per (webinar, currency, settlement currency): the one revenue query behind
    the pages, their exports and `console report revenue`. It checks no actor: callers do."""
    where, params = (selection or RevenueFilter()).where(livemode)
    sql = f"""
    SELECT d.webinar_id, any_value(w.title) AS title,
           any_value(w.organizer_email) AS organizer, d.currency,
           sum(d.new_paid_registrants)::BIGINT AS paid_registrants,
           sum(d.gross)::BIGINT AS gross, sum(d.refunded)::BIGINT AS refunded,
           sum(d.disputed)::BIGINT AS disputed, d.settlement_currency,
           sum(d.fees)::BIGINT AS fees, sum(d.net)::BIGINT AS net
    FROM revenue_daily d LEFT JOIN webinars w USING (webinar_id)
    WHERE {where}
    GROUP BY d.webinar_id, d.currency, d.settlement_currency
    ORDER BY d.webinar_id, d.currency
    """  # noqa: S608 - conditions built from fixed text, values are parameters
    return db.query_frame(sql, params)


@dataclass(frozen=True)
class FilterChoices:
    webinars: dict[str, str]  # id -> title (or the id when not in the catalog)
    organizers: list[str]
    currencies: list[str]
    first_day: date | None
    last_day: date | None


def filter_choices(actor: Actor, livemode: bool) -> FilterChoices:
    """Webinars, organizers and currencies this actor may filter on."""
    require(actor, ADMIN, ORGANIZER, FINANCE)
    scope = {"livemode": livemode, "scope": organizer_scope(actor)}
    with db.connect() as con:
        webinars = con.execute(
            f"""
            WITH known AS (
                SELECT webinar_id AS id, NULL AS title FROM revenue_daily
                WHERE livemode = $livemode AND $scope IS NULL
                UNION ALL
                SELECT webinar_id, title FROM webinars WHERE {in_scope("organizer_email")}
            )
            SELECT id, coalesce(any_value(title), id) FROM known GROUP BY id ORDER BY 2
            """,  # noqa: S608 - fixed text; values are parameters
            scope,
        ).fetchall()
        organizers = [
            row[0]
            for row in con.execute(
                "SELECT DISTINCT lower(organizer_email) FROM webinars "  # noqa: S608
                f"WHERE {in_scope('organizer_email')} ORDER BY 1",
                {"scope": scope["scope"]},
            ).fetchall()
        ]
        currencies = [
            row[0]
            for row in con.execute(
                "SELECT DISTINCT d.currency FROM revenue_daily d LEFT JOIN webinars w "  # noqa: S608
                f"USING (webinar_id) WHERE d.livemode = $livemode "
                f"AND {in_scope('w.organizer_email')} ORDER BY 1",
                scope,
            ).fetchall()
        ]
        first_day, last_day = con.execute(
            "SELECT min(d.day), max(d.day) FROM revenue_daily d LEFT JOIN webinars w "  # noqa: S608
            f"USING (webinar_id) WHERE d.livemode = $livemode "
            f"AND {in_scope('w.organizer_email')}",
            scope,
        ).fetchone()
    return FilterChoices(dict(webinars), organizers, currencies, first_day, last_day)


# --- registrants --------------------------------------------------------------------------

# The organizer of the webinar asked for ($webinar): NULL when it is not in the catalog.
OWNER_OF_WEBINAR = "(SELECT organizer_email FROM webinars WHERE webinar_id = $webinar)"
REGISTRANT_SORTS = {
    "paid_at": "paid_at DESC",
    "name": "name",
    "amount_paid": "amount_paid DESC",
    "status": "status, paid_at DESC",
}


def registrant_rows(
    actor: Actor,
    livemode: bool,
    webinar_id: str,
    search: str = "",
    sort: str = "paid_at",
    limit: int | None = None,
) -> pd.DataFrame:
    """Everyone who paid for the webinar (and, for a free one, everyone registered)."""
    require(actor, ADMIN, ORGANIZER, FINANCE)
    order = REGISTRANT_SORTS.get(sort, REGISTRANT_SORTS["paid_at"])
    dashboard = f"{DASHBOARD}/{'' if livemode else 'test/'}payments/"
    sql = f"""
    WITH paid AS (
        SELECT name, email, currency, amount_paid, amount_refunded, refund_pending,
               settlement_currency, fee, net,
               CASE WHEN amount_refunded >= amount_paid THEN 'refunded'
                    WHEN amount_refunded > 0 THEN 'partially_refunded'
                    ELSE 'paid' END AS status,
               dispute_status, card_brand, epoch_ms(created * 1000) AS paid_at, charge_id,
               $dashboard || charge_id AS stripe_link,
               -- Payouts are finance's: an organizer sees none (issue 15).
               CASE WHEN $scope IS NULL THEN payout_id END AS payout_id
        FROM charge_facts
        WHERE livemode = $livemode AND webinar_id = $webinar
    ),
    free AS (
        SELECT r.name, r.email, NULL AS currency, 0 AS amount_paid, 0 AS amount_refunded,
               0 AS refund_pending, NULL AS settlement_currency, 0 AS fee, 0 AS net,
               'free' AS status, NULL AS dispute_status, NULL AS card_brand,
               r.registered_at::TIMESTAMP AS paid_at, NULL AS charge_id, NULL AS stripe_link,
               NULL AS payout_id
        FROM registrants r JOIN webinars w USING (webinar_id)
        WHERE r.webinar_id = $webinar AND w.price_amount IS NULL
          AND list_contains($seated, r.status)
    )
    SELECT * FROM (SELECT * FROM paid UNION ALL SELECT * FROM free)
    WHERE {in_scope(OWNER_OF_WEBINAR)}
      AND ($search = ''
       OR contains(lower(coalesce(name, '')), $search)
       OR contains(lower(coalesce(email, '')), $search)
       OR contains(lower(coalesce(charge_id, '')), $search))
    ORDER BY {order}
    LIMIT $limit
    """  # noqa: S608 - order comes from REGISTRANT_SORTS
    return db.query_frame(
        sql,
        {
            "livemode": livemode,
            "webinar": webinar_id,
            "limit": limit,
            "scope": organizer_scope(actor),
            "search": search.strip().lower(),
            "dashboard": dashboard,
            "seated": list(SEATED),
        },
    )


def registrant_count(actor: Actor, livemode: bool, webinar_id: str) -> int:
    require(actor, ADMIN, ORGANIZER, FINANCE)
    with db.connect() as con:
        row = con.execute(
            "SELECT count(*) FROM charge_facts WHERE livemode = $livemode "  # noqa: S608
            f"AND webinar_id = $webinar AND {in_scope(OWNER_OF_WEBINAR)}",
            {"livemode": livemode, "webinar": webinar_id, "scope": organizer_scope(actor)},
        ).fetchone()
    return int(row[0])


# The registrants CSV's columns, headed for people (its rows stay data: amounts in minor
# units, Stripe's codes).
REGISTRANT_CSV_COLUMNS = (
    "name",
    "email",
    "currency",
    "amount_paid",
    "amount_refunded",
    "refund_pending",
    "settlement_currency",
    "fee",
    "net",
    "status",
    "dispute_status",
    "card_brand",
    "paid_at",
    "charge_id",
    "payout_id",
)


def registrants_csv(frame: pd.DataFrame, language: str | None = None) -> bytes:
    """The registrants for a spreadsheet, headed in `language` (by default the current one:
    a download built on click runs outside the page's script, so its page passes it)."""
    with i18n.speaking(language or i18n.language()):
        headings = {column: column_heading(column) for column in REGISTRANT_CSV_COLUMNS}
    return to_csv_bytes(frame[list(REGISTRANT_CSV_COLUMNS)].rename(columns=headings))


# --- fees ---------------------------------------------------------------------------------


def monthly_fee_rows(livemode: bool) -> pd.DataFrame:
    """Per settlement currency and month, as the Fees page and `console report fees` show
    them. It checks no actor: callers do."""
    return db.query_frame(
        "SELECT * EXCLUDE (livemode) FROM fees_by_month WHERE livemode = $livemode "
        "ORDER BY settlement_currency, month",
        {"livemode": livemode},
    )


def fees_by_month(actor: Actor, livemode: bool) -> pd.DataFrame:
    """Per settlement currency and month: gross, fees, refunds, net, rate, fee per payment."""
    require(actor, ADMIN, FINANCE)
    frame = monthly_fee_rows(livemode)
    # A rate is a ratio, not money: a float is fine here.
    frame["effective_rate"] = (frame["fees"] / frame["gross"].where(frame["gross"] > 0)).astype(
        "float64"
    )
    frame["fee_per_registrant"] = [
        _divide_half_up(fees, charges)
        for fees, charges in zip(frame["fees"], frame["charges"], strict=True)
    ]
    return frame


def _divide_half_up(amount: int, count: int) -> int:
    """Integer division rounded half up, so an average stays in whole minor units."""
    if count == 0:
        return 0
    return (2 * int(amount) + int(count)) // (2 * int(count))


def fee_breakdown(actor: Actor, livemode: bool) -> pd.DataFrame:
    """The same fees by kind (payments as settled, converted payments, refunds, disputes)
    and settlement currency: they add up to the monthly totals."""
    require(actor, ADMIN, FINANCE)
    return db.query_frame(
        "SELECT * EXCLUDE (livemode) FROM fees_by_type WHERE livemode = $livemode "
        "ORDER BY settlement_currency, fee_type",
        {"livemode": livemode},
    )
