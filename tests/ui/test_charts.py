"""console/ui/charts.py: one panel per measure and currency, never two currencies on one
axis; bars in major units with the exact amount in the hover text; names, axis titles,
hover text and numbers in the language of the page."""

from __future__ import annotations

import json

import pandas as pd
from streamlit.testing.v1 import AppTest

from console.formatting import i18n
from console.ui import charts

JAN, FEB = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01")


def _over_time() -> pd.DataFrame:
    """As analytics.revenue_over_time gives it: usd and jpy paid, all settled in eur."""
    rows = [
        (JAN, "gross", "usd", 9800),
        (FEB, "gross", "usd", 4900),
        (JAN, "refunded", "usd", 1000),
        (FEB, "refunded", "usd", 0),
        (FEB, "gross", "jpy", 5000),
        (FEB, "refunded", "jpy", 5000),
        (JAN, "net", "eur", 8100),
        (FEB, "net", "eur", 7655),
    ]
    return pd.DataFrame(rows, columns=["period", "measure", "currency", "amount"])


def _panels(figure) -> list[str]:
    return [annotation.text for annotation in figure.layout.annotations]


def _traces(figure) -> dict[tuple[str, str], object]:
    """Each trace by (its name, the title of the panel it is drawn in)."""
    titles = _panels(figure)
    found = {}
    for trace in figure.data:
        axis = trace.yaxis  # "y", "y2", ...: the panel's row
        row = int(axis[1:] or 1)
        found[(trace.name, titles[row - 1])] = trace
    return found


def test_one_panel_per_measure_and_currency():
    figure = charts.revenue_over_time(_over_time())
    # Gross and refunds per payment currency; net per settlement currency.
    assert _panels(figure) == ["Gross · JPY", "Gross · USD", "Net · EUR"]
    assert set(_traces(figure)) == {
        ("Gross", "Gross · JPY"),
        ("Refunded", "Gross · JPY"),
        ("Gross", "Gross · USD"),
        ("Refunded", "Gross · USD"),
        ("Net", "Net · EUR"),
    }
    assert figure.layout.height == 3 * 200 + 60
    assert figure.layout.barmode == "group"


def test_bars_are_in_major_units_of_their_panels_currency_with_exact_hover_text():
    traces = _traces(charts.revenue_over_time(_over_time()))
    usd = traces[("Gross", "Gross · USD")]
    assert list(usd.y) == [98.0, 49.0]
    assert list(usd.hovertext) == ["$98.00", "$49.00"]
    assert [pd.Timestamp(x) for x in usd.x] == [JAN, FEB]
    jpy = traces[("Refunded", "Gross · JPY")]
    assert list(jpy.y) == [5000.0]  # zero-decimal: ¥5,000 is 5000
    assert list(jpy.hovertext) == ["¥5,000"]
    assert list(traces[("Net", "Net · EUR")].hovertext) == ["€81.00", "€76.55"]
    assert usd.hovertemplate.endswith("<extra>Gross</extra>")


def test_hover_text_names_the_period_of_each_bar():
    traces = _traces(charts.revenue_over_time(_over_time(), "month"))
    assert list(traces[("Gross", "Gross · USD")].customdata) == ["January 2026", "February 2026"]
    weekly = _traces(charts.revenue_over_time(_over_time(), "week"))
    assert list(weekly[("Net", "Net · EUR")].customdata) == [
        "Week of Jan 1, 2026",
        "Week of Feb 1, 2026",
    ]
    daily = _traces(charts.revenue_over_time(_over_time(), "day"))
    assert list(daily[("Net", "Net · EUR")].customdata) == ["Jan 1, 2026", "Feb 1, 2026"]
    usd = traces[("Gross", "Gross · USD")]
    assert usd.hovertemplate == "%{customdata}<br>%{hovertext}<extra>Gross</extra>"


def test_the_axes_are_titled_and_dates_written_in_numbers():
    figure = charts.revenue_over_time(_over_time(), "week")
    # Each panel's amounts are in its currency; the shared time axis says the grain.
    assert [figure.layout[f"yaxis{n or ''}"].title.text for n in (0, 2, 3)] == [
        "JPY",
        "USD",
        "EUR",
    ]
    assert figure.layout.xaxis3.title.text == "Week"
    assert figure.layout.xaxis.tickformat == figure.layout.xaxis3.tickformat == "%Y-%m-%d"
    assert charts.revenue_over_time(_over_time(), "month").layout.xaxis.tickformat == "%Y-%m"
    assert figure.layout.separators == ".,"


def test_in_french_every_word_and_number_is_french():
    with i18n.speaking("fr"):
        figure = charts.revenue_over_time(_over_time(), "week")
    assert _panels(figure) == ["Brut · JPY", "Brut · USD", "Net · EUR"]
    traces = _traces(figure)
    usd = traces[("Brut", "Brut · USD")]
    assert list(usd.hovertext) == ["98,00\xa0$US", "49,00\xa0$US"]
    assert list(usd.customdata) == ["Semaine du 1 janv. 2026", "Semaine du 1 févr. 2026"]
    assert usd.hovertemplate.endswith("<extra>Brut</extra>")
    assert {name for name, _ in traces} == {"Brut", "Remboursé", "Net"}
    assert figure.layout.xaxis3.title.text == "Semaine"
    # Plotly's ticks with a decimal comma and a thin space between thousands.
    assert figure.layout.separators == ",\u202f"
    with i18n.speaking("fr"):
        assert charts.period_text(FEB, "month") == "février 2026"


def test_each_measure_is_in_the_legend_once():
    traces = _traces(charts.revenue_over_time(_over_time()))
    shown = sorted(name for (name, _), trace in traces.items() if trace.showlegend)
    assert shown == ["Gross", "Net", "Refunded"]
    assert traces[("Gross", "Gross · JPY")].showlegend  # the first gross panel
    assert not traces[("Gross", "Gross · USD")].showlegend


def test_a_payment_currency_settled_as_it_is_still_gets_two_panels():
    frame = _over_time()
    frame = frame[frame["currency"] != "jpy"]
    frame.loc[frame["currency"] == "eur", "currency"] = "usd"  # usd paid, usd settled
    assert _panels(charts.revenue_over_time(frame)) == ["Gross · USD", "Net · USD"]


def test_gross_alone_is_one_panel():
    frame = _over_time()
    figure = charts.revenue_over_time(frame[frame["measure"] != "net"].query("currency == 'usd'"))
    assert _panels(figure) == ["Gross · USD"]
    assert figure.layout.height == 260


def test_effective_rate_draws_one_line_per_settlement_currency():
    monthly = pd.DataFrame(
        {
            "settlement_currency": ["eur", "eur", "usd"],
            "month": ["2026-01", "2026-02", "2026-02"],
            "effective_rate": [0.021, 0.019, 0.035],
        }
    )
    figure = charts.effective_rate(monthly)
    assert [(t.name, list(t.x), list(t.y)) for t in figure.data] == [
        ("EUR", ["2026-01", "2026-02"], [0.021, 0.019]),
        ("USD", ["2026-02"], [0.035]),
    ]
    assert figure.layout.yaxis.tickformat == ".2%"
    assert figure.layout.yaxis.title.text == "Effective fee rate"
    assert figure.layout.xaxis.title.text == "Month"
    assert figure.layout.legend.title.text == "Settled in"
    assert list(figure.data[0].hovertext) == ["2.10%", "1.90%"]
    assert list(figure.data[0].customdata) == ["January 2026", "February 2026"]
    with i18n.speaking("fr"):
        french = charts.effective_rate(monthly)
    assert french.layout.yaxis.title.text == "Taux effectif"
    assert french.layout.xaxis.title.text == "Mois"
    assert french.layout.legend.title.text == "Réglé en"
    assert list(french.data[0].hovertext) == ["2,10\xa0%", "1,90\xa0%"]
    assert list(french.data[0].customdata) == ["janvier 2026", "février 2026"]


def test_a_rate_reads_as_the_language_writes_it():
    assert charts.rate_text(0.0351) == "3.51%"
    assert charts.rate_text(float("nan")) == "—"
    with i18n.speaking("fr"):
        assert charts.rate_text(0.0351) == "3,51\xa0%"


def chart_page(rows: list) -> None:
    import pandas as pd
    import streamlit as st

    from console.ui import charts

    frame = pd.DataFrame(rows, columns=["period", "measure", "currency", "amount"])
    st.plotly_chart(charts.revenue_over_time(frame), width="stretch")


def test_the_page_shows_the_panels_a_person_reads():
    rows = _over_time().astype({"period": str}).values.tolist()
    app = AppTest.from_function(chart_page, args=(rows,), default_timeout=30).run()
    assert not app.exception
    [chart] = app.get("plotly_chart")
    spec = json.loads(chart.proto.spec)
    assert [a["text"] for a in spec["layout"]["annotations"]] == [
        "Gross · JPY",
        "Gross · USD",
        "Net · EUR",
    ]
    assert len(spec["data"]) == 5


def test_payouts_are_bars_at_their_arrival_a_panel_per_currency_coloured_by_status():
    rows = pd.DataFrame.from_records(
        [
            {"arrival_date": "2026-11-20", "currency": "eur", "status": "paid", "amount": 123456},
            {"arrival_date": "2026-11-21", "currency": "eur", "status": "failed", "amount": 5000},
            {"arrival_date": "2026-11-21", "currency": "jpy", "status": "paid", "amount": 5000},
        ]
    )
    figure = charts.payouts_over_time(rows)
    bars = {(bar.name, bar.yaxis): bar for bar in figure.data}
    assert set(bars) == {("Paid", "y"), ("Failed", "y"), ("Paid", "y2")}
    assert list(bars["Paid", "y"].y) == [1234.56]
    assert list(bars["Paid", "y"].hovertext) == ["€1,234.56"]
    assert list(bars["Paid", "y2"].y) == [5000.0]  # yen have no minor unit
    assert bars["Failed", "y"].marker.color == charts.PAYOUT_COLORS["failed"]
    assert [a.text for a in figure.layout.annotations] == ["EUR", "JPY"]
