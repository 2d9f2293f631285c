"""Tables and their CSV downloads, the same way on every page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from console.formatting.csv_export import to_csv_bytes
from console.formatting.legacy_labels import t
from console.ui.common import locale


def labels(*columns: str, **keys: str) -> dict[str, str]:
    """Translated column headings: each column under its own i18n key, unless `keys` names
    another one (`fees="stripe_fees"`); columns only in `keys` come last."""
    lang = locale()
    return {column: t(keys.get(column, column), lang) for column in columns} | {
        column: t(key, lang) for column, key in keys.items() if column not in columns
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


def csv_download(
    data: pd.DataFrame | bytes | Callable[[], bytes],
    file_name: str,
    key: str,
    label: str | None = None,
) -> None:
    """A CSV download button; a DataFrame is exported with formulas neutralised, and a
    function is called only on click."""
    st.download_button(
        label or t("download_csv", locale()),
        to_csv_bytes(data) if isinstance(data, pd.DataFrame) else data,
        file_name=file_name,
        mime="text/csv",
        key=key,
    )
