"""Tables and their CSV downloads, the same way on every page: columns headed in the
language of the page, in the table and in the file alike."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from console.formatting.csv_export import to_csv_bytes
from console.formatting.i18n import _
from console.formatting.presentation import COLUMN_HEADINGS, column_heading


def headings(columns: Any = None) -> dict[str, str]:
    """Heading of each of `columns` (every known column when None), in the current language."""
    return {
        str(column): column_heading(str(column))
        for column in (COLUMN_HEADINGS if columns is None else columns)
    }


def labels(*columns: str, **texts: str) -> dict[str, str]:
    """Column headings for a table: each column's own (`COLUMN_HEADINGS`), unless `texts` gives one
    (`amount=_("Stripe fees")`); columns only in `texts` come last."""
    return {column: texts.get(column) or column_heading(column) for column in columns} | {
        column: text for column, text in texts.items() if column not in columns
    }


def table(frame: Any, column_config: dict[str, Any] | None = None, **options: Any) -> Any:
    """A full-width table without the index."""
    return st.dataframe(
        frame, hide_index=True, width="stretch", column_config=column_config, **options
    )


def when_column(label: str, seconds: bool = False) -> Any:
    return st.column_config.DatetimeColumn(
        label, format="YYYY-MM-DD HH:mm:ss" if seconds else "YYYY-MM-DD HH:mm"
    )


def with_headings(data: bytes, names: Mapping[str, str]) -> bytes:
    """A CSV file whose header row is written with `names` (column -> heading); the rows
    below are left as they are, byte for byte."""
    first, newline, rest = data.partition(b"\n")
    line = first.decode("utf-8")
    ending = "\r" if line.endswith("\r") else ""
    columns = next(csv.reader([line.removesuffix("\r")]), [])
    header = io.StringIO()
    csv.writer(header, lineterminator="").writerow([names.get(c, c) for c in columns])
    return (header.getvalue() + ending).encode("utf-8") + newline + rest


def csv_download(
    data: pd.DataFrame | bytes | Callable[[], bytes],
    file_name: str,
    key: str,
    label: str | None = None,
    names: Mapping[str, str] | None = None,
) -> None:
    """A CSV download button; a DataFrame is exported with formulas neutralised, and a
    function is called only on click. The header row is for people, in the page's language
    (`names` overrides or adds headings); the values stay as the report has them (amounts
    in minor units, codes as they are)."""
    # Chosen now: a function runs on click, outside this page's language.
    chosen = headings() | dict(names or {})
    if isinstance(data, pd.DataFrame):
        contents: bytes | Callable[[], bytes] = with_headings(to_csv_bytes(data), chosen)
    elif callable(data):

        def contents() -> bytes:
            return with_headings(data(), chosen)
    else:
        contents = with_headings(data, chosen)
    st.download_button(
        label or _("Download CSV"), contents, file_name=file_name, mime="text/csv", key=key
    )
