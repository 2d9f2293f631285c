"""Plotly figures. Money is plotted in major units (display only) with exact hover text."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from console.domain.money import format_money, to_major


def revenue_over_time(frame: pd.DataFrame, locale: str, labels: dict[str, str]) -> go.Figure:
    """One panel per measure and currency, never one axis for two currencies nor for a
    payment currency and a settlement currency: gross and refunds per payment currency,
    net per settlement currency."""
    panels = [
        (measure, currency)
        for measure in ("gross", "net")
        for currency in sorted(frame.loc[frame["measure"] == measure, "currency"].unique())
    ]
    figure = make_subplots(
        rows=len(panels),
        cols=1,
        shared_xaxes=True,
        subplot_titles=[f"{labels[measure]} · {currency.upper()}" for measure, currency in panels],
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
                    name=labels[measure],
                    marker_color=colors[measure],
                    legendgroup=measure,
                    showlegend=row == next(i for i, p in enumerate(panels, 1) if p[0] == panel),
                    hovertext=[format_money(int(v), currency, locale) for v in part["amount"]],
                    hovertemplate="%{x}<br>%{hovertext}<extra>" + labels[measure] + "</extra>",
                ),
                row=row,
                col=1,
            )
    figure.update_layout(
        barmode="group",
        height=200 * len(panels) + 60,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "y": 1.08},
    )
    return figure


def effective_rate(frame: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    figure = go.Figure()
    for currency in sorted(frame["settlement_currency"].unique()):
        part = frame[frame["settlement_currency"] == currency]
        figure.add_trace(
            go.Scatter(
                x=part["month"],
                y=part["effective_rate"],
                mode="lines+markers",
                name=currency.upper(),
            )
        )
    figure.update_layout(
        yaxis_tickformat=".2%",
        yaxis_title=labels["effective_rate"],
        height=320,
        margin={"l": 10, "r": 10, "t": 20, "b": 10},
    )
    return figure
