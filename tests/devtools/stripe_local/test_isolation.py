"""The local Stripe is tooling for the demo and the tests and runs as its own process:
nothing else in console/ imports it."""

from __future__ import annotations

import ast
from pathlib import Path

from tests import REPO

CONSOLE = REPO / "console"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_no_console_module_imports_the_local_stripe():
    outside = [
        p for p in CONSOLE.rglob("*.py") if "stripe_local" not in p.relative_to(CONSOLE).parts
    ]
    assert len(outside) > 20
    importers = [
        str(path.relative_to(CONSOLE))
        for path in outside
        if any(name.startswith("console.devtools.stripe_local") for name in _imports(path))
    ]
    assert importers == []
