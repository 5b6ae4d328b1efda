"""The package's shape: no import cycle, storage below generation, a report that reads data only
and reaches a realism only through its report profile, no realism named outside realism/, and
short functions (a longer one carries its reason in a ``# long:`` comment beside its def).

Imports are read from the source with ``ast``: every ``import`` between modules counts, those
inside functions and under ``if TYPE_CHECKING:`` included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from fraud_detection.simulator.realism.registry import REALISMS

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "fraud_detection.simulator"
MAX_FUNCTION_LINES = 40
# What storage may import besides itself: it never reaches up into generation.
STORAGE_MAY_IMPORT = {"config", "errors", "layout", "result", "version"}
# What the report may import besides itself: it reads datasets, never generator internals; of
# ``realism`` only ``realism.profiles`` (``test_the_report_reaches_a_realism_only_by_its_profile``).
REPORT_MAY_IMPORT = {
    "config", "errors", "layout", "reference", "schema", "version", "storage", "realism",
}  # fmt: skip
# What a realism's settings module may import: the config's building blocks, nothing that
# loads a generator (the config imports it while it is itself being imported).
SETTINGS_MAY_IMPORT = {"config.values", "errors", "reference"}
# The one module of ``realism`` the report may import (what the profiles import is theirs).
REALISM_DOOR = f"{PACKAGE}.realism.profiles"
# Where realism names may be compared: the realisms themselves.
REALISM_HOME = f"{PACKAGE}.realism"


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


def test_the_report_reaches_a_realism_only_by_its_profile() -> None:
    bad = {
        (name, target)
        for name, targets in graph().items()
        if name.startswith(f"{PACKAGE}.report")
        for target in targets
        if top(target) == "realism" and target != REALISM_DOOR
    }
    assert bad == set()


def test_the_profiles_are_import_light() -> None:
    """``realism.profiles`` imports profile modules only (and what those import is theirs):
    never the registry of generator objects in ``realism/__init__`` nor ``realism.base``."""
    edges = graph()
    assert {t for t in edges[REALISM_DOOR] if top(t) == "realism"} <= {
        name for name in edges if name.startswith(f"{PACKAGE}.realism") and name.endswith("profile")
    }


def _names_a_realism(node: ast.AST, names: set[str], bound: dict[str, ast.AST]) -> bool:
    """Return whether an operand is a realism name: the string itself, a tuple, list, set or
    dict literal (or a call such as ``frozenset(...)``) holding one, or a module-level name
    bound to such a collection."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value in names
    if isinstance(node, ast.Name) and node.id in bound:
        return _names_a_realism(bound[node.id], names, {})
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_names_a_realism(e, names, bound) for e in node.elts)
    if isinstance(node, ast.Dict):
        return any(k is not None and _names_a_realism(k, names, bound) for k in node.keys)
    if isinstance(node, ast.Call):
        return any(_names_a_realism(a, names, bound) for a in node.args)
    return False


def _module_constants(tree: ast.Module) -> dict[str, ast.AST]:
    bound: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            bound[target.id] = value
    return bound


COMPARING = (ast.Eq, ast.NotEq, ast.In, ast.NotIn, ast.Is, ast.IsNot)


def realism_name_comparisons(prefix: str, names: set[str] | None = None) -> list[str]:
    """Return ``module:line`` of every place a module under ``prefix`` compares a value with a
    realism name (``==``, ``!=``, ``in``, ``not in``, ``is``; a ``match`` case), the names
    written out or through a module-level constant holding them. ``names`` defaults to the
    registry's."""
    names = set(REALISMS) if names is None else names
    found: list[tuple[str, int]] = []
    for module, path in sorted(modules().items()):
        if not module.startswith(prefix):
            continue
        tree = ast.parse(path.read_text("utf-8"))
        bound = _module_constants(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and any(isinstance(o, COMPARING) for o in node.ops):
                operands = [node.left, *node.comparators]
                hit = any(_names_a_realism(o, names, bound) for o in operands)
            elif isinstance(node, ast.MatchValue):
                hit = _names_a_realism(node.value, names, bound)
            else:
                continue
            if hit:
                found.append((module, node.lineno))
    return [f"{module}:{line}" for module, line in sorted(found)]


def test_the_name_finder_finds_comparisons(tmp_path: Path) -> None:
    source = (
        'ALL = ("v1", "v2")\n'
        "def f(cfg, r):\n"
        '    a = cfg.realism == "v3"\n'
        "    b = r in ALL\n"
        '    c = r not in frozenset({"v2"})\n'
        "    match r:\n"
        '        case "v1": pass\n'
        '    d = "v3 data" == r or r == "v4" or f"{r}" == "v3x"\n'
    )
    tree = ast.parse(source)
    bound = _module_constants(tree)
    hits = [
        n.lineno for n in ast.walk(tree)
        if (isinstance(n, ast.Compare)
            and any(_names_a_realism(o, {"v1", "v2", "v3"}, bound)
                    for o in (n.left, *n.comparators)))
        or (isinstance(n, ast.MatchValue) and _names_a_realism(n.value, {"v1", "v2", "v3"}, bound))
    ]  # fmt: skip
    assert sorted(hits) == [3, 4, 5, 7]


def test_no_module_outside_realism_compares_realism_names() -> None:
    """Which realism applies is asked of the registries (config.realisms, realism.registry,
    realism.profiles), never decided by comparing names outside realism/."""
    found = realism_name_comparisons(f"{PACKAGE}.")
    assert [f for f in found if not f.startswith(REALISM_HOME)] == []


def realism_name_literals(prefix: str, names: set[str] | None = None) -> list[str]:
    """Return ``module:line`` of every string constant equal to a realism name in the modules
    under ``prefix`` (a docstring or a sentence that mentions one is not equal to it)."""
    names = set(REALISMS) if names is None else names
    return [
        f"{module}:{node.lineno}"
        for module, path in sorted(modules().items())
        if module.startswith(prefix)
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names
    ]


def test_the_report_names_no_realism() -> None:
    """Stricter than comparing: the report neither tests nor returns a realism's name; what
    depends on the realism comes from its profile."""
    assert realism_name_literals(f"{PACKAGE}.report") == []


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
