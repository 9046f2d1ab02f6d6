"""Arrows only point down: every import in db/, leadbot/ and handlers/ goes to its own layer or a lower one.

    db  <  leadbot core  <  leadbot.services  <  leadbot.intake, leadbot.delivery  <  handlers  <  roots

`leadbot core` is every leadbot module not named by another layer (clock, config, errors, permissions, ...);
the composition roots are leadbot.app, leadbot.cli and leadbot.cli_* (and `python -m leadbot`), which build
everything, with the two pieces only leadbot.app wires (leadbot.scheduling: services on timers;
leadbot.web: the HTTP server that mounts intake and Telegram's webhook). leadbot.reporting draws report
files and charts from what the report service computed: it sits beside intake and delivery.
Intake, delivery and reporting are side by side: none imports another. SQL stays in the services and
below: nothing above them imports sqlalchemy. Imports inside functions and under TYPE_CHECKING count too:
an arrow is an arrow.

Telegram (aiogram) is the handlers' business. Below them it is imported only by
- leadbot.rendering: `aiogram.types`, for the keyboard a rendered message carries; it is the protocol the UI
  and the sender share, so both sides speak Telegram's message there and nowhere else;
- leadbot.delivery: `aiogram` (the Bot that sends) and `aiogram.exceptions` (each failure classified), since
  sending to Telegram is what the delivery worker is for.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("db", "leadbot", "handlers")
DB, CORE, SERVICES, ADAPTERS, HANDLERS, ROOTS = range(6)
LAYER_NAMES = ("db", "leadbot core", "leadbot.services", "leadbot.intake/delivery", "handlers", "roots")
ROOT_MODULES = ("leadbot.app", "leadbot.cli", "leadbot.__main__", "leadbot.scheduling", "leadbot.web")
ADAPTER_MODULES = ("leadbot.reporting",)
# Opening the database yields the services' context (ServiceContext): it is where services begin, and only
# the roots (and tests) open it.
SERVICE_MODULES = ("leadbot.database",)
AIOGRAM_ALLOWED = {
    "leadbot.rendering": ("aiogram.types",),
    "leadbot.delivery": ("aiogram", "aiogram.exceptions"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield module_name(path), path


def imports_of(path: Path) -> set[str]:
    """Every module the file imports, by absolute name (relative imports resolved)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            found.add(".".join(part for part in (base, node.module) if part))
    return found


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layer(module: str) -> int | None:
    """The module's layer, or None for what is not ours (the standard library, third parties)."""
    if within(module, "db"):
        return DB
    if within(module, "handlers"):
        return HANDLERS
    if not within(module, "leadbot"):
        return None
    if module in ROOT_MODULES or module.startswith("leadbot.cli_"):
        return ROOTS
    if within(module, "leadbot.services") or module in SERVICE_MODULES:
        return SERVICES
    if within(module, "leadbot.intake") or within(module, "leadbot.delivery") or module in ADAPTER_MODULES:
        return ADAPTERS
    return CORE


def side(module: str) -> str:
    """Which of two neighbours in the same layer: intake and delivery must not import each other."""
    return module.split(".")[1] if layer(module) == ADAPTERS else ""


def aiogram_allowed(module: str, imported: str) -> bool:
    return any(within(module, owner) and imported in allowed for owner, allowed in AIOGRAM_ALLOWED.items())


def points_up(module: str, imported: str) -> bool:
    here, there = layer(module), layer(imported)
    assert here is not None, module
    if within(imported, "aiogram"):
        return here < HANDLERS and not aiogram_allowed(module, imported)
    if there is None:
        return False
    return there > here or (there == here == ADAPTERS and side(imported) != side(module))


def violations() -> set[tuple[str, str]]:
    return {
        (module, imported)
        for module, path in modules()
        for imported in imports_of(path)
        if points_up(module, imported)
    }


def test_every_arrow_points_down() -> None:
    upward = sorted(violations())
    assert not upward, "\n".join(
        f"{module} ({LAYER_NAMES[layer(module) or 0]}) imports {imported}" for module, imported in upward
    )


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("db.models.leads", DB),
        ("leadbot.permissions", CORE),
        ("leadbot.rendering", CORE),
        ("leadbot.services.registry", SERVICES),
        ("leadbot.intake.api", ADAPTERS),
        ("leadbot.delivery.worker", ADAPTERS),
        ("handlers.cards", HANDLERS),
        ("leadbot.app", ROOTS),
        ("leadbot.cli", ROOTS),
        ("leadbot.cli_users", ROOTS),
        ("aiogram.types", None),
        ("sqlalchemy", None),
    ],
)
def test_each_module_has_its_layer(module: str, expected: int | None) -> None:
    assert layer(module) == expected


@pytest.mark.parametrize(
    ("module", "imported", "up"),
    [
        ("db.models.leads", "leadbot.clock", True),
        ("db.models.leads", "db.types", False),
        ("leadbot.permissions", "leadbot.services.context", True),
        ("leadbot.services.registry", "leadbot.delivery.worker", True),
        ("leadbot.services.leads", "leadbot.permissions", False),
        ("leadbot.intake.api", "leadbot.delivery.worker", True),
        ("leadbot.delivery.worker", "leadbot.services.delivery_store", False),
        ("leadbot.delivery.worker", "handlers.outbox_renderer", True),
        ("handlers.cards", "leadbot.services.queries", False),
        ("handlers.setup", "leadbot.app", True),
        ("leadbot.app", "handlers.setup", False),
        ("leadbot.permissions", "aiogram.types", True),
        ("leadbot.rendering", "aiogram.types", False),
        ("leadbot.rendering", "aiogram", True),
        ("leadbot.delivery.worker", "aiogram", False),
        ("leadbot.services.leads", "sqlalchemy", False),
    ],
)
def test_which_arrows_point_up(module: str, imported: str, up: bool) -> None:
    assert points_up(module, imported) is up


def test_no_sql_above_the_services() -> None:
    """Intake, delivery, handlers and the roots ask services; only the layers below speak SQL."""
    speaking_sql = {
        module
        for module, path in modules()
        if (layer(module) or DB) > SERVICES and any(within(i, "sqlalchemy") for i in imports_of(path))
    }
    assert sorted(speaking_sql) == []


def test_db_imports_nothing_of_the_application() -> None:
    assert not {(module, imported) for module, imported in violations() if layer(module) == DB}
