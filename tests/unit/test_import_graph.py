"""No import cycle among the core's modules (``multinic_api``, ``multinic_identity``), and
no import of the standalone site (``multinic_site``) from the core or the plugin.

The graph is read from the source (every ``import`` and ``from ... import``, at module level
or inside a function, where a cycle would otherwise hide), not from what happens to be
imported first at run time. Imports under ``if TYPE_CHECKING:`` are for type checkers only
and never run, so they are not edges.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("multinic_api", "multinic_identity")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for package in PACKAGES
            for path in sorted((ROOT / package).rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement that runs, wherever it is."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _edges(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for statement in _imports(ast.parse(path.read_text(), str(path))):
        if isinstance(statement, ast.Import):
            targets.update(alias.name for alias in statement.names)
            continue
        base = statement.module or ""
        if statement.level:
            anchor = name.split(".")
            if not is_package:
                anchor = anchor[:-1]
            anchor = anchor[:len(anchor) - (statement.level - 1)]
            base = ".".join(anchor + ([base] if base else []))
        for alias in statement.names:
            submodule = f"{base}.{alias.name}"
            # "from package import module" runs that module; any other name is the package's.
            targets.add(submodule if submodule in modules else base)
    return {target for target in targets if target in modules and target != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _edges(name, path, modules) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected component of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return components


def test_the_graph_sees_the_core_and_its_imports():
    graph = _graph()
    assert "multinic_api.services.subnets" in graph["multinic_api.api.views"]  # from a package
    assert "multinic_api.models" in graph["multinic_api.services.instances"]  # a package's name
    assert "multinic_api.services.macs" in graph["multinic_api.services.instances"]
    assert "multinic_api.models.querysets" in graph["multinic_api.models.instances"]
    assert "multinic_api.virt.libvirt" in graph["multinic_api.virt"]


def test_a_cycle_is_found():
    """The check itself: a ring of three is one cycle; what only leads into it is not."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_among_the_core_modules():
    assert _cycles(_graph()) == []


def _imported_names(path: Path) -> set[str]:
    """The absolute module names ``path`` imports, wherever the import is."""
    names: set[str] = set()
    for statement in _imports(ast.parse(path.read_text(), str(path))):
        if isinstance(statement, ast.Import):
            names.update(alias.name for alias in statement.names)
        elif not statement.level and statement.module:
            names.add(statement.module)
    return names


def test_only_the_site_imports_the_standalone_site():
    """The plugin, the API and the built-in Identity never import ``multinic_site``, not even
    inside a function: the plugin runs in an OpenStack dashboard that has no such package."""
    assert "multinic_site.inprocess" in _imported_names(ROOT / "multinic_site" / "signin.py")
    importers = {str(path.relative_to(ROOT))
                 for package in (*PACKAGES, "multinic_dashboard")
                 for path in sorted((ROOT / package).rglob("*.py"))
                 if any(name.partition(".")[0] == "multinic_site"
                        for name in _imported_names(path))}
    assert importers == set()
