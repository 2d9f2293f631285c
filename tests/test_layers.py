"""The layers of console/ (DESIGN.md, "Layout"): a module imports only from its own layer
and the layers below it."""

from __future__ import annotations

import ast

from tests import REPO

CONSOLE = REPO / "console"
# From the top; settings.py is read by every layer, cli.py and devtools/ sit above them all.
LAYERS = ("ui", "services", "mail", "stripe_api", "store", "formatting", "domain")
EVERYONE_READS = {"settings"}
ON_TOP = {"cli", "__main__", "devtools"}


def _layer(module: str) -> str:
    """console.services.refunds.issuing -> services; console/cli.py -> cli."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _imports(path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.startswith("console."):
                found.add(node.module)
            elif node.module == "console":
                found |= {f"console.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("console.")}
    return found


def upward_imports() -> list[str]:
    wrong = []
    for path in CONSOLE.rglob("*.py"):
        parts = path.relative_to(CONSOLE).with_suffix("").parts
        layer = parts[0]
        if layer in ON_TOP or layer in EVERYONE_READS or layer == "__init__":
            continue
        for module in _imports(path):
            target = _layer(module)
            if target in EVERYONE_READS or target == layer:
                continue
            if target in ON_TOP or LAYERS.index(target) < LAYERS.index(layer):
                wrong.append(f"{path.relative_to(REPO)} imports {module}")
    return sorted(wrong)


def test_every_folder_of_console_is_a_known_layer():
    folders = {p.name for p in CONSOLE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    # locale/ holds the gettext catalogs (data, no module).
    assert folders == set(LAYERS) | {"devtools", "locale"}
    assert not list((CONSOLE / "locale").rglob("*.py"))


def test_no_module_imports_a_layer_above_its_own():
    assert upward_imports() == []


def test_the_check_sees_an_upward_import(tmp_path, monkeypatch):
    store = tmp_path / "console" / "store"
    store.mkdir(parents=True)
    (store / "bad.py").write_text("from console.services import access\n")
    monkeypatch.setattr("tests.test_layers.CONSOLE", tmp_path / "console")
    monkeypatch.setattr("tests.test_layers.REPO", tmp_path)
    assert upward_imports() == ["console/store/bad.py imports console.services"]
