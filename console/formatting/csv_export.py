"""CSV for spreadsheets, safe to open: no cell can start a formula."""

from __future__ import annotations

import pandas as pd

# Spreadsheets run a cell that starts with these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _one_cell(value: object) -> object:
    """A carriage return is a line break to a spreadsheet but not to pandas' quoting:
    written as \n, the cell is quoted and its rest cannot start a row of its own."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with text cells neutralised; numbers stay numbers (minor units)."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise).map(_one_cell)
    return safe.to_csv(index=False).encode("utf-8")
