"""One module writes each table, and it is a repository in console/store/: found by reading
every SQL statement in console/."""

from __future__ import annotations

import ast
import re
from collections import defaultdict

from console.store import db
from console.stripe_api import mirror
from tests import REPO

CONSOLE = REPO / "console"
# SQL here is written in capitals; `DO UPDATE SET` is an upsert's, not a table's name.
WRITE = re.compile(
    r"\b(?:INSERT INTO|(?<!DO )UPDATE|DELETE FROM|CREATE (?:OR REPLACE )?(?:TEMP )?TABLE"
    r"(?: IF NOT EXISTS)?)\s+([a-z_]+)\b"
)
# The schema's own: migrations create every table; the local Stripe is another program.
NOT_CONSOLE_CODE = ("migrations", "devtools")
# The one exception to "writers live in store/": the mirror of Stripe's objects is written by
# stripe_api/mirror.py, beside the sync that reads them from Stripe, by design.
MIRROR_WRITER = "stripe_api/mirror.py"
MIRROR_TABLES = mirror.TABLES


def _sql_texts(tree: ast.AST) -> list[str]:
    texts = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts.append(node.value)
        elif isinstance(node, ast.JoinedStr):  # f-strings: their literal parts
            texts.append("".join(v.value for v in node.values if isinstance(v, ast.Constant)))
    return texts


def writers() -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for path in CONSOLE.rglob("*.py"):
        module = str(path.relative_to(CONSOLE))
        if set(path.relative_to(CONSOLE).parts) & set(NOT_CONSOLE_CODE):
            continue
        for text in _sql_texts(ast.parse(path.read_text())):
            for table in WRITE.findall(text):
                found[table].add(module)
    # The mirror writes its tables through one statement built per table.
    for table in mirror.TABLES:
        found[table].add(MIRROR_WRITER)
    return found


def test_every_table_has_exactly_one_writer():
    shared = {table: sorted(modules) for table, modules in writers().items() if len(modules) > 1}
    assert shared == {}


def test_every_table_of_the_schema_has_its_writer(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    with db.connect() as con:
        tables = {
            row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
    assert tables - {"schema_migrations"} <= set(writers())
    assert writers()["registrants"] == {"store/catalog.py"}
    assert writers()["stripe_refunds"] == {"stripe_api/mirror.py"}


def test_every_table_is_written_by_a_store_module():
    outside_store = {
        table: sorted(modules)
        for table, modules in writers().items()
        if table not in MIRROR_TABLES and any(not m.startswith("store/") for m in modules)
    }
    assert outside_store == {}
    assert {table: writers()[table] for table in MIRROR_TABLES} == {
        table: {MIRROR_WRITER} for table in MIRROR_TABLES
    }
