"""console/formatting/csv_export.py: CSV safe to open in a spreadsheet (no cell starts a
formula, OWASP "CSV injection"), with money left as integers in minor units."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from console.formatting.csv_export import FORMULA_STARTS, neutralise, to_csv_bytes


def _rows(data: bytes) -> list[list[str]]:
    """The cells as a spreadsheet importer reads them (universal newlines)."""
    return list(csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")))


def test_the_formula_starts_are_those_owasp_lists():
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example","x")',
        "+33 1 23 45 67 89",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_a_text_that_could_start_a_formula_gets_a_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Ada Lovelace", "", " =1+1", "a=b", "'already", "ch_123"])
def test_other_text_is_left_alone(text):
    assert neutralise(text) == text


@pytest.mark.parametrize("value", [4900, -4900, 0, 1.5, None, True])
def test_values_that_are_not_text_are_left_alone(value):
    assert neutralise(value) is value


def test_text_cells_are_neutralised_in_the_file():
    frame = pd.DataFrame(
        {
            "name": ["=cmd|' /C calc'!A0", "Ada", "@evil", "-1"],
            "email": ["+x@example.org", "ada@example.org", "b@example.org", "c@example.org"],
        }
    )
    rows = _rows(to_csv_bytes(frame))
    assert rows == [
        ["name", "email"],
        ["'=cmd|' /C calc'!A0", "'+x@example.org"],
        ["Ada", "ada@example.org"],
        ["'@evil", "b@example.org"],
        ["'-1", "c@example.org"],
    ]


def test_money_columns_stay_integers_in_minor_units():
    frame = pd.DataFrame(
        {
            "currency": ["eur", "jpy", "usd"],
            "gross": [4900, 5000, 0],
            "refunded": [-4900, 0, -1],  # a negative number is a number, not a formula
        }
    )
    assert to_csv_bytes(frame).decode() == (
        "currency,gross,refunded\neur,4900,-4900\njpy,5000,0\nusd,0,-1\n"
    )


def test_missing_amounts_stay_integers_and_blank():
    frame = pd.DataFrame({"name": ["Ada", "Bob"], "fee": pd.array([172, None], dtype="Int64")})
    assert to_csv_bytes(frame).decode() == "name,fee\nAda,172\nBob,\n"


def test_object_and_string_columns_are_both_neutralised():
    frame = pd.DataFrame(
        {
            "as_object": pd.Series(["=1", None], dtype=object),
            "as_string": pd.Series(["=2", None], dtype="string"),
        }
    )
    assert _rows(to_csv_bytes(frame)) == [["as_object", "as_string"], ["'=1", "'=2"], ["", ""]]


def test_the_frame_given_is_not_changed():
    frame = pd.DataFrame({"name": ["=1+1"], "amount": [4900]})
    to_csv_bytes(frame)
    assert frame["name"].tolist() == ["=1+1"]


def test_utf8_without_an_index_column():
    frame = pd.DataFrame({"title": ["Facturation électronique", "日本語"]})
    data = to_csv_bytes(frame)
    assert data == "title\nFacturation électronique\n日本語\n".encode()


def test_an_empty_frame_is_its_header():
    assert to_csv_bytes(pd.DataFrame(columns=["name", "amount"])) == b"name,amount\n"


def test_a_carriage_return_inside_a_cell_cannot_start_a_formula_on_a_new_line():
    frame = pd.DataFrame({"name": ["Ada\r=SUM(1;2)"], "amount": [4900]})
    rows = _rows(to_csv_bytes(frame))
    assert len(rows) == 2
    assert all(not cell.startswith(FORMULA_STARTS) for row in rows for cell in row)
