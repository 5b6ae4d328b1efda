"""The package's shape: no import cycle, storage below generation, a report that reads data only,
realisms as plug-ins (nothing outside ``realism/`` compares realism names; the config reads a
realism only through its ``settings`` module), and short functions (a longer one carries its
reason in a ``# long:`` comment beside its def).

Imports are read from the source with ``ast``: every ``import`` between modules counts, those
inside functions and under ``if TYPE_CHECKING:`` included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "fraud_detection.simulator"
MAX_FUNCTION_LINES = 40
# What storage may import besides itself: it never reaches up into generation.
STORAGE_MAY_IMPORT = {"config", "errors", "layout", "result", "version"}
# What a realism's settings module may import: the config's building blocks, nothing that
# loads a generator (the config imports it while it is itself being imported).
SETTINGS_MAY_IMPORT = {"config.values", "errors", "reference"}
REALISM_NAMES = ("v1", "v2", "v3")
# What the report may import besides itself: it reads datasets, never generator internals.
REPORT_MAY_IMPORT = {"config", "errors", "layout", "reference", "schema", "version", "storage"}


def modules() -> dict[str, Path]:
    """Return every module of the source tree by dotted name."""
    found = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Return the modules of the tree that module ``name`` imports."""
    is_package = path.name == "__init__.py"
    base = name.split(".") if is_package else name.split(".")[:-1]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            anchor = base[: len(base) - node.level + 1] if node.level else []
            module = ".".join(anchor + ([node.module] if node.module else []))
            candidates = [f"{module}.{a.name}" for a in node.names] + [module]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
    return targets


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports(name, path, known) for name, path in found.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def top(module: str) -> str:
    """Return the first component under the package: ``storage`` for ``...storage.s3``."""
    return module.removeprefix(PACKAGE + ".").split(".")[0]


def test_no_import_cycle() -> None:
    assert cycles(graph()) == []


def test_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize(
    ("layer", "allowed"), [("storage", STORAGE_MAY_IMPORT), ("report", REPORT_MAY_IMPORT)]
)
def test_layers_import_only_what_they_may(layer: str, allowed: set[str]) -> None:
    bad = {
        (name, target)
        for name, targets in graph().items()
        if name.startswith(f"{PACKAGE}.{layer}")
        for target in targets
        if target.startswith(PACKAGE + ".") and top(target) not in allowed | {layer}
    }
    assert bad == set()


def test_functions_are_short_or_say_why() -> None:
    long = []
    for path in SRC.rglob("*.py"):
        lines = path.read_text("utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            beside = " ".join(lines[max(node.lineno - 2, 0) : node.lineno])
            if length > MAX_FUNCTION_LINES and "# long:" not in beside:
                long.append(f"{path.relative_to(SRC)}:{node.lineno} {node.name} ({length} lines)")
    assert long == []


def realism_name_comparisons(path: Path) -> list[str]:
    """Return ``line: source`` of every comparison with a realism name in the module at
    ``path`` (``== "v3"``, ``!= "v1"``, ``in ("v1", "v2")``...)."""
    found = []
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        for operand in [node.left, *node.comparators]:
            literals = (
                operand.elts if isinstance(operand, ast.Tuple | ast.List | ast.Set) else [operand]
            )
            if any(isinstance(x, ast.Constant) and x.value in REALISM_NAMES for x in literals):
                found.append(f"{path.relative_to(SRC)}:{node.lineno}: {ast.unparse(node)}")
                break
    return found


def test_the_finder_finds_realism_name_comparisons(tmp_path: Path) -> None:
    module = SRC / "fraud_detection" / "simulator" / "_probe_for_test.py"
    try:
        module.write_text('a = cfg.realism == "v3"\nb = name in ("v1", "v2")\nc = "v9" == x\n')
        assert [f.split(": ", 1)[1] for f in realism_name_comparisons(module)] == [
            "cfg.realism == 'v3'",
            "name in ('v1', 'v2')",
        ]
    finally:
        module.unlink()


def test_only_realism_compares_realism_names() -> None:
    """Which realism applies is asked of the registries (config.realisms, realism.registry,
    realism.profiles), never decided by comparing names outside realism/."""
    found = [
        line
        for name, path in modules().items()
        if not name.startswith(f"{PACKAGE}.realism")
        for line in realism_name_comparisons(path)
    ]
    assert found == []


def test_the_config_reads_realisms_only_through_their_settings() -> None:
    edges = graph()
    bad = {
        (name, target)
        for name, targets in edges.items()
        if top(name) == "config"
        for target in targets
        if top(target) == "realism" and not target.endswith(".settings")
    }
    settings = [name for name in edges if top(name) == "realism" and name.endswith(".settings")]
    assert settings, "realisms have settings modules"
    bad |= {
        (name, target)
        for name in settings
        for target in edges[name]
        if target.startswith(PACKAGE + ".")
        and target.removeprefix(PACKAGE + ".") not in SETTINGS_MAY_IMPORT
    }
    assert bad == set()
