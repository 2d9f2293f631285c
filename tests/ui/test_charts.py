"""console/ui/charts.py: one panel per measure and currency, never two currencies on one
axis; bars in major units with the exact amount in the hover text."""

from __future__ import annotations

import json

import pandas as pd
from streamlit.testing.v1 import AppTest

from console.ui import charts

LABELS = {"gross": "Gross", "refunded": "Refunded", "net": "Net", "effective_rate": "Rate"}
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
    figure = charts.revenue_over_time(_over_time(), "en", LABELS)
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
    traces = _traces(charts.revenue_over_time(_over_time(), "en", LABELS))
    usd = traces[("Gross", "Gross · USD")]
    assert list(usd.y) == [98.0, 49.0]
    assert list(usd.hovertext) == ["$98.00", "$49.00"]
    assert [pd.Timestamp(x) for x in usd.x] == [JAN, FEB]
    jpy = traces[("Refunded", "Gross · JPY")]
    assert list(jpy.y) == [5000.0]  # zero-decimal: ¥5,000 is 5000
    assert list(jpy.hovertext) == ["¥5,000"]
    assert list(traces[("Net", "Net · EUR")].hovertext) == ["€81.00", "€76.55"]
    assert usd.hovertemplate.endswith("<extra>Gross</extra>")


def test_hover_text_follows_the_locale():
    traces = _traces(charts.revenue_over_time(_over_time(), "fr", LABELS))
    assert list(traces[("Gross", "Gross · USD")].hovertext) == ["98,00\xa0$US", "49,00\xa0$US"]


def test_each_measure_is_in_the_legend_once():
    traces = _traces(charts.revenue_over_time(_over_time(), "en", LABELS))
    shown = sorted(name for (name, _), trace in traces.items() if trace.showlegend)
    assert shown == ["Gross", "Net", "Refunded"]
    assert traces[("Gross", "Gross · JPY")].showlegend  # the first gross panel
    assert not traces[("Gross", "Gross · USD")].showlegend


def test_a_payment_currency_settled_as_it_is_still_gets_two_panels():
    frame = _over_time()
    frame = frame[frame["currency"] != "jpy"]
    frame.loc[frame["currency"] == "eur", "currency"] = "usd"  # usd paid, usd settled
    assert _panels(charts.revenue_over_time(frame, "en", LABELS)) == ["Gross · USD", "Net · USD"]


def test_gross_alone_is_one_panel():
    frame = _over_time()
    figure = charts.revenue_over_time(
        frame[frame["measure"] != "net"].query("currency == 'usd'"), "en", LABELS
    )
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
    figure = charts.effective_rate(monthly, LABELS)
    assert [(t.name, list(t.x), list(t.y)) for t in figure.data] == [
        ("EUR", ["2026-01", "2026-02"], [0.021, 0.019]),
        ("USD", ["2026-02"], [0.035]),
    ]
    assert figure.layout.yaxis.tickformat == ".2%"
    assert figure.layout.yaxis.title.text == "Rate"


def chart_page(rows: list) -> None:
    import pandas as pd
    import streamlit as st

    from console.ui import charts

    frame = pd.DataFrame(rows, columns=["period", "measure", "currency", "amount"])
    labels = {"gross": "Gross", "refunded": "Refunded", "net": "Net"}
    st.plotly_chart(charts.revenue_over_time(frame, "en", labels), width="stretch")


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
