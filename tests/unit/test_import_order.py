"""The import order of ARCHITECTURE.md holds: each backend package imports only packages above it in the table.

Read from the source with `ast` (every import, also those inside functions), so an upward import fails here
before it becomes a cycle. Also: `backend/` never imports `reflex`, and `obelisk_app/` calls services, not the
HTTP layer (`backend.api`), except the one module that mounts the API into the Reflex app.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# ARCHITECTURE.md, "Domains in backend/, in import order". Same rank: neither may import the other.
RANKS = {
    "core": 1,
    "auth": 2,
    "models": 2,
    "safety": 2,
    "jobs": 2,
    "tenancy": 3,
    "documents": 4,
    "retrieval": 5,
    "analytics": 6,
    "agents": 7,
    "runs": 8,
    "content": 8,
    "slack": 9,
    "dashboard": 9,
    "api": 10,
}
# The module that creates the Reflex app and mounts the API into it (`api_transformer`, lifespan).
APP_ENTRY = Path("obelisk_app/obelisk_app.py")


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every import in the file, relative imports resolved."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    yield from _imports_in(path.read_text(encoding="utf-8"), package)


def _imports_in(source: str, package: str) -> Iterator[tuple[int, str]]:
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            yield node.lineno, base
            # `from backend import documents` imports the package `backend.documents` (a name that is not a
            # module adds nothing: it lies inside the module already yielded).
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def _files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_every_backend_package_is_ranked() -> None:
    packages = {p.name for p in (ROOT / "backend").iterdir() if (p / "__init__.py").exists()}
    assert packages <= set(RANKS), f"add these packages to ARCHITECTURE.md's table and here: {packages - set(RANKS)}"


def test_backend_packages_import_only_packages_above_them() -> None:
    wrong = []
    for path in _files("backend"):
        parts = path.relative_to(ROOT / "backend").parts
        if len(parts) < 2:
            continue  # backend/cli.py, tasks.py, schema.py: process wiring above every package
        own = parts[0]
        for line, module in _imports(path):
            names = module.split(".")
            if names[0] != "backend" or len(names) < 2 or names[1] == own or names[1] not in RANKS:
                continue
            if RANKS[names[1]] >= RANKS[own]:
                where = f"{path.relative_to(ROOT)}:{line}"
                wrong.append(f"{where} imports {module} (rank {RANKS[names[1]]}, not above {own}'s {RANKS[own]})")
    assert not wrong, "imports against the order of ARCHITECTURE.md:\n" + "\n".join(wrong)


def test_backend_never_imports_reflex() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in _files("backend")
        for line, module in _imports(path)
        if module.split(".")[0] in ("reflex", "obelisk_app", "rxconfig")
    ]
    assert not wrong, "\n".join(wrong)


def test_the_ui_calls_services_not_the_http_layer() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in _files("obelisk_app")
        if path.relative_to(ROOT) != APP_ENTRY
        for line, module in _imports(path)
        if module == "backend.api" or module.startswith("backend.api.")
    ]
    assert not wrong, "\n".join(wrong)


def test_the_walker_sees_imports_inside_functions_and_relative_ones() -> None:
    # Hidden cycles used to live in function-level imports; relative imports must resolve to their package.
    source = "def f():\n    from backend.api.deps import Ctx\n\nfrom . import service\nfrom backend import api\n"
    found = {module for _, module in _imports_in(source, "backend.documents")}
    assert {"backend.api.deps", "backend.documents.service", "backend.api"} <= found
