"""Plotly figures, in the language of the page (`i18n.language()`): names, axis titles and
hover text translated, numbers and dates written as the language writes them. Money is
plotted in major units (display only) with the exact amount in the hover text."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_percent
from plotly.subplots import make_subplots

from console.domain.money import format_money, to_major
from console.formatting import i18n
from console.formatting.i18n import N_, _
from console.formatting.presentation import payout_status_text

MEASURES = {"gross": N_("Gross"), "refunded": N_("Refunded"), "net": N_("Net")}
GRAINS = {"day": N_("Day"), "week": N_("Week"), "month": N_("Month")}
# Plotly's decimal and thousands separators per language (its own default is English's).
SEPARATORS = {"en": ".,", "fr": ",\u202f"}
# Dates on the axes in numbers, which read the same in every language.
TICK_FORMATS = {"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m"}


def rate_text(rate: float) -> str:
    """“3.51%”, “3,51 %”; “—” where there is no rate (a month with no payment)."""
    if rate != rate:  # NaN
        return "—"
    language = i18n.language()
    # The language's own percent pattern, with two decimals.
    head, _zero, tail = Locale.parse(language).percent_formats[None].pattern.rpartition("0")
    return format_percent(rate, f"{head}0.00{tail}", locale=language)


def period_text(period: object, grain: str) -> str:
    """“Nov 2, 2026”, “Week of Nov 2, 2026”, “November 2026”, in the page's language."""
    moment = pd.Timestamp(period)
    if pd.isna(moment):
        return ""
    language = i18n.language()
    if grain == "month":
        return format_date(moment, "LLLL y", locale=language)
    day = format_date(moment, "medium", locale=language)
    return _("Week of {day}", day=day) if grain == "week" else day


def revenue_over_time(frame: pd.DataFrame, grain: str = "month") -> go.Figure:
    """One panel per measure and currency, never one axis for two currencies nor for a
    payment currency and a settlement currency: gross and refunds per payment currency,
    net per settlement currency."""
    language = i18n.language()
    names = {measure: _(text) for measure, text in MEASURES.items()}
    panels = [
        (measure, currency)
        for measure in ("gross", "net")
        for currency in sorted(frame.loc[frame["measure"] == measure, "currency"].unique())
    ]
    figure = make_subplots(
        rows=len(panels),
        cols=1,
        shared_xaxes=True,
        subplot_titles=[f"{names[measure]} · {currency.upper()}" for measure, currency in panels],
        vertical_spacing=0.3 / len(panels) if len(panels) > 1 else 0,
    )
    series = {"gross": ("gross", "refunded"), "net": ("net",)}
    colors = {"gross": "#94a3b8", "refunded": "#f97316", "net": "#2563eb"}
    for row, (panel, currency) in enumerate(panels, start=1):
        for measure in series[panel]:
            part = frame[(frame["measure"] == measure) & (frame["currency"] == currency)]
            figure.add_trace(
                go.Bar(
                    x=part["period"],
                    y=[float(to_major(int(v), currency)) for v in part["amount"]],
                    name=names[measure],
                    marker_color=colors[measure],
                    legendgroup=measure,
                    showlegend=row == next(i for i, p in enumerate(panels, 1) if p[0] == panel),
                    hovertext=[format_money(int(v), currency, language) for v in part["amount"]],
                    customdata=[period_text(p, grain) for p in part["period"]],
                    hovertemplate="%{customdata}<br>%{hovertext}<extra>"
                    + names[measure]
                    + "</extra>",
                ),
                row=row,
                col=1,
            )
        figure.update_yaxes(title_text=currency.upper(), row=row, col=1)
    if panels:
        figure.update_xaxes(title_text=_(GRAINS.get(grain, N_("Period"))), row=len(panels), col=1)
    figure.update_xaxes(tickformat=TICK_FORMATS.get(grain, "%Y-%m-%d"))
    figure.update_layout(
        barmode="group",
        height=200 * len(panels) + 60,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "y": 1.08},
        separators=SEPARATORS.get(language, SEPARATORS["en"]),
    )
    return figure


def effective_rate(frame: pd.DataFrame) -> go.Figure:
    """Stripe's fees as a share of gross, a line per settlement currency, month by month."""
    language = i18n.language()
    title = _("Effective fee rate")
    figure = go.Figure()
    for currency in sorted(frame["settlement_currency"].unique()):
        part = frame[frame["settlement_currency"] == currency]
        figure.add_trace(
            go.Scatter(
                x=part["month"],
                y=part["effective_rate"],
                mode="lines+markers",
                name=currency.upper(),
                customdata=[period_text(f"{month}-01", "month") for month in part["month"]],
                hovertext=[rate_text(rate) for rate in part["effective_rate"]],
                hovertemplate="%{customdata}<br>%{hovertext}<extra>"
                + currency.upper()
                + "</extra>",
            )
        )
    figure.update_layout(
        yaxis_tickformat=".2%",
        yaxis_title=title,
        xaxis_title=_("Month"),
        xaxis_tickformat="%Y-%m",
        legend_title_text=_("Settled in"),
        height=320,
        margin={"l": 10, "r": 10, "t": 20, "b": 10},
        separators=SEPARATORS.get(language, SEPARATORS["en"]),
    )
    return figure


def bars_per_currency(
    frame: pd.DataFrame,
    *,
    x: str,
    grain: str,
    currency: str,
    series: str,
    names: dict[str, str],
    colors: dict[str, str],
    panel_title: str = "{currency}",
    x_title: str | None = None,
    barmode: str = "group",
) -> go.Figure:
    """Bars of `frame["amount"]` (minor units) at `x`, one panel per `currency` column value
    (never one axis for two), one series per value of `series` named and coloured by
    `names` and `colors`; major units plotted, the exact amount in the hover text."""
    language = i18n.language()
    currencies = sorted(frame[currency].unique())
    figure = make_subplots(
        rows=max(1, len(currencies)),
        cols=1,
        shared_xaxes=True,
        subplot_titles=[panel_title.format(currency=code.upper()) for code in currencies],
        vertical_spacing=0.3 / len(currencies) if len(currencies) > 1 else 0,
    )
    for row, code in enumerate(currencies, start=1):
        for kind, name in names.items():
            part = frame[(frame[currency] == code) & (frame[series] == kind)]
            if part.empty:
                continue
            figure.add_trace(
                go.Bar(
                    x=part[x],
                    y=[float(to_major(int(v), code)) for v in part["amount"]],
                    name=name,
                    marker_color=colors.get(kind, OTHER_COLOR),
                    legendgroup=kind,
                    showlegend=row == 1,
                    hovertext=[format_money(int(v), code, language) for v in part["amount"]],
                    customdata=[period_text(moment, grain) for moment in part[x]],
                    hovertemplate="%{customdata}<br>%{hovertext}<extra>" + name + "</extra>",
                ),
                row=row,
                col=1,
            )
        figure.update_yaxes(title_text=code.upper(), row=row, col=1)
    if x_title:
        figure.update_xaxes(title_text=x_title, row=max(1, len(currencies)), col=1)
    figure.update_xaxes(tickformat=TICK_FORMATS[grain])
    figure.update_layout(
        barmode=barmode,
        height=220 * max(1, len(currencies)) + 60,
        # The legend above the panels' titles, not over the bars.
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.12, "x": 0},
        separators=SEPARATORS.get(language, SEPARATORS["en"]),
    )
    return figure


OTHER_COLOR = "#94a3b8"
# Payouts by status: what reached the bank, what came back; the rest on its way.
PAYOUT_COLORS = {"paid": "#2563eb", "failed": "#dc2626"}


def payouts_over_time(rows: pd.DataFrame) -> go.Figure:
    """Each payout as a bar at its arrival date, a panel per currency, coloured by status."""
    return bars_per_currency(
        rows,
        x="arrival_date",
        grain="day",
        currency="currency",
        series="status",
        names={status: payout_status_text(status) for status in sorted(rows["status"].unique())},
        colors=PAYOUT_COLORS,
        barmode="stack",
    )
