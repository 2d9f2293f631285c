"""tests/ mirrors console/ and pages/: `console/<pkg>/<mod>.py` is tested in
`tests/<pkg>/test_<mod>.py`, `pages/<page>.py` in `tests/pages/test_<page>.py`, and each
directory under tests/ is a package (an __init__.py)."""

from __future__ import annotations

from pathlib import Path

from tests import REPO

CONSOLE = REPO / "console"
TESTS = REPO / "tests"
NOT_MODULES = {"__init__.py", "__main__.py"}


def _modules() -> list[Path]:
    """console/'s modules, relative to it, but for package files and numbered migrations."""
    found = []
    for path in sorted(CONSOLE.rglob("*.py")):
        relative = path.relative_to(CONSOLE)
        if path.name in NOT_MODULES:
            continue
        if relative.parent == Path("store/migrations") and path.name.startswith("m"):
            continue
        found.append(relative)
    return found


def _mirror(module: Path) -> Path:
    return module.parent / f"test_{module.name}"


def test_the_walk_sees_console():
    modules = _modules()
    assert Path("cli.py") in modules
    assert Path("devtools/stripe_local/cards.py") in modules
    assert Path("store/migrations/m0001_initial.py") not in modules
    assert Path("__main__.py") not in modules
    assert _mirror(Path("devtools/stripe_local/cards.py")) == Path(
        "devtools/stripe_local/test_cards.py"
    )


def test_every_module_has_its_own_test_file():
    missing = [str(_mirror(m)) for m in _modules() if not (TESTS / _mirror(m)).is_file()]
    assert not missing, f"{len(missing)} module(s) without a mirrored test file:\n" + "\n".join(
        f"  tests/{path}" for path in missing
    )


def test_every_page_has_its_own_test_file():
    missing = [
        f"tests/pages/test_{page.name}"
        for page in sorted((REPO / "pages").glob("*.py"))
        if not (TESTS / "pages" / f"test_{page.name}").is_file()
    ]
    assert missing == []


def test_every_test_directory_is_a_package():
    directories = set()
    for path in TESTS.rglob("test_*.py"):
        directories |= {d for d in path.parents if d == TESTS or TESTS in d.parents}
    missing = sorted(
        str(d.relative_to(REPO)) for d in directories if not (d / "__init__.py").is_file()
    )
    assert missing == []
