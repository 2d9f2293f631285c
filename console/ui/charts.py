"""Plotly figures. Money is plotted in major units (display only) with exact hover text."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from console.money import format_money, to_major


def revenue_over_time(frame: pd.DataFrame, locale: str, labels: dict[str, str]) -> go.Figure:
    """One panel per currency (never one axis for two currencies): gross and net per period."""
    currencies = sorted(frame["currency"].unique())
    figure = make_subplots(
        rows=len(currencies),
        cols=1,
        shared_xaxes=True,
        subplot_titles=[c.upper() for c in currencies],
        vertical_spacing=0.08 if len(currencies) > 1 else 0,
    )
    for row, currency in enumerate(currencies, start=1):
        part = frame[frame["currency"] == currency]
        for column, color in (("gross", "#94a3b8"), ("net", "#2563eb")):
            figure.add_trace(
                go.Bar(
                    x=part["period"],
                    y=[float(to_major(int(v), currency)) for v in part[column]],
                    name=labels[column],
                    marker_color=color,
                    legendgroup=column,
                    showlegend=row == 1,
                    hovertext=[format_money(int(v), currency, locale) for v in part[column]],
                    hovertemplate="%{x}<br>%{hovertext}<extra>" + labels[column] + "</extra>",
                ),
                row=row,
                col=1,
            )
    figure.update_layout(
        barmode="group",
        height=220 * len(currencies) + 60,
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
