"""The house a newcomer walks into: use cases in their own rooms, small modules, no import
running in a circle, and no SQL in the outside world."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("bot", "handlers", "conversations", "db")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def product_modules() -> dict[str, Path]:
    return {
        module_name(p): p
        for package in PRODUCT
        for p in (ROOT / package).rglob("*.py")
        if "migrations" not in p.parts
    }


def imported(path: Path, modules: dict[str, Path]) -> set[str]:
    """Every project module a file imports, TYPE_CHECKING and function-level imports included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules else node.module)
    return {m for m in found if m in modules}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_itself_through_others():
    modules = product_modules()
    graph = {
        name: {m for m in imported(path, modules) if m != name and not name.startswith(m + ".")}
        for name, path in modules.items()
    }
    assert cycles(graph) == []


def test_handlers_top_level_holds_use_case_packages_and_two_composition_modules():
    top = {p.name for p in (ROOT / "handlers").iterdir() if not p.name.startswith("__pycache__")}
    modules = {n for n in top if n.endswith(".py")}
    assert modules <= {"__init__.py", "app.py", "jobs.py"}
    for package in top - modules:
        init = ROOT / "handlers" / package / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text())), (
            f"handlers/{package} says what it owns"
        )


def test_no_product_module_is_over_400_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in product_modules().values()
        if (n := len(p.read_text().splitlines())) > 400
    }
    assert long == {}


def test_bot_runs_no_sql_and_opens_no_transaction():
    sql = re.compile(r"\b(select|insert|update|delete|text)\(|\.transaction\(|\bexecute\(")
    offenders = [
        f"{p.relative_to(ROOT)}:{i}: {line.strip()}"
        for p in (ROOT / "bot").rglob("*.py")
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if sql.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []


def top_packages_imported(path: Path) -> set[str]:
    """The top-level names a file imports, function-level imports included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_bench_and_tests_share_the_fakes_and_never_import_each_other():
    forbidden = {"bench": {"tests"}, "tests": {"bench"}, "fakes": {"tests", "bench"}}
    offenders = [
        f"{p.relative_to(ROOT)} imports {sorted(hit)}"
        for folder, banned in forbidden.items()
        for p in (ROOT / folder).rglob("*.py")
        if (hit := top_packages_imported(p) & banned)
    ]
    assert offenders == []
