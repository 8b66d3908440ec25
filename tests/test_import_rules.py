"""The arrows of ARCHITECTURE.md, checked by reading every module's imports with `ast` (nothing is imported).

- lstmlm never imports gradio, plotly or playground;
- playground/plots never imports torch, gradio or the rooms above it (views, tabs, api, server), and reaches
  neither torch nor gradio through any module it imports (plot functions take lists and arrays);
- playground/views never imports gradio, plotly or tabs, and reaches neither through another module;
- playground/text never imports views, tabs, api, app or i18n (it holds words);
- argparse only in lstmlm/cli and playground/__main__.py;
- no module imports another module's private (_name) name;
- no import circle between project modules (module-level imports; one inside a function runs later).
Imports inside functions count for every rule but the last. Each failure names the file and the import."""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("lstmlm", "playground")


@dataclass(frozen=True)
class Import:
    """One imported module (and the name taken from it, for `from m import name`) at a line of a file."""

    path: Path  # the importing file
    line: int
    module: str  # the module as written, made absolute
    name: str | None  # `from module import name`; None for `import module`
    top_level: bool  # runs when the file is imported (not inside a function)

    def where(self) -> str:
        what = f"from {self.module} import {self.name}" if self.name else f"import {self.module}"
        return f"{self.path.relative_to(ROOT)}:{self.line}: {what}"


def module_name(path: Path) -> str:
    """'playground/tabs/__init__.py' -> 'playground.tabs'; 'lstmlm/model.py' -> 'lstmlm.model'."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_files() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def imports_of(path: Path, source: str | None = None) -> list[Import]:
    """Every import statement of the file (or of `source`, read as that file), module-level or not;
    relative imports made absolute."""
    text = path.read_text(encoding="utf-8") if source is None else source
    tree = ast.parse(text, filename=str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, top_level: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend(Import(path, child.lineno, a.name, None, top_level) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                module = child.module or ""
                if child.level:  # `from . import x`, `from ..views import y`
                    base = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    module = ".".join(base + ([module] if module else []))
                found.extend(Import(path, child.lineno, module, a.name, top_level) for a in child.names)
            if isinstance(child, ast.If) and _type_checking(child.test):
                visit(child, False)  # only for the type checker: never runs
            else:
                inner = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                visit(child, top_level and not inner)

    visit(tree, True)
    return found


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


@functools.cache
def _by_module() -> dict[str, tuple[Import, ...]]:
    """Every project module's imports, parsed once for the tests that follow chains of them."""
    grouped: dict[str, list[Import]] = {}
    for imp in all_imports():
        grouped.setdefault(module_name(imp.path), []).append(imp)
    return {m: tuple(v) for m, v in grouped.items()}


def all_imports() -> list[Import]:
    return [imp for path in project_files() for imp in imports_of(path)]


def _root(module: str) -> str:
    return module.split(".")[0]


def _inside(path: Path, folder: str) -> bool:
    return path.relative_to(ROOT).as_posix().startswith(folder.rstrip("/") + "/")


ABOVE_PLOTS = {"playground.views", "playground.tabs", "playground.api", "playground.server"}
FORBIDDEN = [  # (files, the modules they must not import (a name and everything under it), why)
    ("lstmlm/", {"gradio", "plotly", "playground"}, "the library stays free of the app"),
    ("playground/plots/", {"torch", "gradio", *ABOVE_PLOTS}, "plots take lists and arrays, return a Figure"),
    ("playground/views/", {"gradio", "plotly", "playground.tabs"}, "views are plain data"),
]
# Neither may they reach those libraries through another module (followed at module level, with the
# packages Python runs on the way): plots may read plain-Python modules of lstmlm (lstmlm.safewords: the
# chart labels' hidden-word filter), whose package no longer loads torch on import (lstmlm/__init__).
UNREACHABLE = [
    ("playground/plots/", {"torch", "gradio"}, "plots draw without the model and without the app"),
    ("playground/views/", {"gradio", "plotly"}, "views are plain data, testable without the app"),
]


def _under(module: str, names: set[str]) -> bool:
    return any(module == n or module.startswith(n + ".") for n in names)


def _imported(imp: Import) -> str:
    """The module an import names: `from pkg import sub` is pkg.sub when that is a module, else pkg."""
    sub = f"{imp.module}.{imp.name}" if imp.name else imp.module
    return sub if (imp.name and sub in _modules()) or not imp.name else imp.module


@functools.cache  # the files do not change during a run; _imported asks for every import
def _modules() -> dict[str, Path]:
    return {module_name(p): p for p in project_files()}


def test_rooms_import_only_what_they_may():
    wrong = [
        f"{imp.where()}  ({why})"
        for imp in all_imports()
        for folder, banned, why in FORBIDDEN
        if _inside(imp.path, folder) and _under(_imported(imp), banned)
    ]
    assert not wrong, "forbidden imports:\n" + "\n".join(wrong)


def reached(path: Path) -> dict[str, str]:
    """Every module that importing `path` and calling its functions runs: its own imports (any level), then
    the module-level imports of each project module reached, and each package on the way (`a.b.c` runs
    `a` and `a.b` first). Module -> the module that brought it in, to tell the chain."""
    modules, start = _modules(), module_name(path)
    by_module = _by_module()
    came_from: dict[str, str] = {}
    todo = [(start, False)]
    while todo:
        current, top_level_only = todo.pop()
        for imp in by_module.get(current, []):
            if top_level_only and not imp.top_level:
                continue
            target = _imported(imp)
            parts = target.split(".")
            for depth in range(1, len(parts) + 1):
                name = ".".join(parts[:depth])
                if name == start or name in came_from:
                    continue
                came_from[name] = current
                if name in modules:
                    todo.append((name, True))
    return came_from


def chain(came_from: dict[str, str], module: str) -> str:
    links = [module]
    while links[-1] in came_from:
        links.append(came_from[links[-1]])
    return " <- ".join(links)


def test_pure_rooms_do_not_reach_heavy_libraries():
    wrong = []
    for path in project_files():
        for folder, banned, why in UNREACHABLE:
            if _inside(path, folder):
                came_from = reached(path)
                wrong += [
                    f"{path.relative_to(ROOT)}: {chain(came_from, m)}  ({why})"
                    for m in sorted(came_from)
                    if _under(m, banned) and "." not in m
                ]
    assert not wrong, "imports that reach a library the room must not load:\n" + "\n".join(wrong)


def test_reached_follows_module_level_imports_and_packages():
    came_from = reached(ROOT / "playground" / "i18n.py")
    assert came_from["gradio"] == "playground.i18n"
    assert came_from["playground.plots"] == "playground.i18n"  # runs before playground.plots.style
    assert "playground.text" in came_from and "plotly" in came_from
    assert chain(came_from, "plotly") == "plotly <- playground.plots.style <- playground.i18n"


def loaded_by(folder: str, libraries: tuple[str, ...]) -> list[str]:
    """Which of `libraries` a fresh interpreter has loaded after importing every module of `folder`."""
    names = sorted(module_name(p) for p in (ROOT / folder).glob("*.py"))
    code = f"import sys\nfor m in {names!r}: __import__(m)\n"
    code += f"print([m for m in {libraries!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return ast.literal_eval(out.stdout.strip())


def test_plots_and_views_load_what_they_may():
    """The same rules, seen another way: import a room's every module in a fresh interpreter and look."""
    assert loaded_by("playground/plots", ("torch", "gradio")) == []
    assert loaded_by("playground/views", ("gradio", "plotly")) == []


# playground/text holds a tab's words (i18n merges it); it may take words from plots or lstmlm.tokenizers, but
# never imports the code that builds a screen, which imports i18n: no tab or view can import its words back.
SCREEN_CODE = ("playground.views", "playground.tabs", "playground.api", "playground.app", "playground.i18n")


def test_text_modules_hold_words_only():
    wrong = [
        imp.where()
        for imp in all_imports()
        if _inside(imp.path, "playground/text/")
        and any(
            full == m or full.startswith(m + ".")
            for full in (imp.module, f"{imp.module}.{imp.name}")  # `from playground import views` too
            for m in SCREEN_CODE
        )
    ]
    assert not wrong, "playground/text imports code that builds a screen:\n" + "\n".join(wrong)


def test_only_the_command_lines_parse_arguments():
    allowed = lambda p: _inside(p, "lstmlm/cli") or p == ROOT / "playground" / "__main__.py"  # noqa: E731
    wrong = [imp.where() for imp in all_imports() if imp.module == "argparse" and not allowed(imp.path)]
    assert not wrong, "argparse outside lstmlm/cli and playground/__main__.py:\n" + "\n".join(wrong)


def _private(name: str | None) -> bool:
    return bool(name) and name.startswith("_") and not name.startswith("__")


def test_no_module_imports_another_modules_private_names():
    wrong = [
        imp.where()
        for imp in all_imports()
        if _root(imp.module) in PACKAGES
        and (_private(imp.name) or any(_private(part) for part in imp.module.split(".")))
    ]
    assert not wrong, "imports of another module's private name:\n" + "\n".join(wrong)


def import_graph() -> dict[str, set[str]]:
    """Project module -> the project modules it imports at module level. `from pkg import sub` points at
    the submodule when there is one; a parent package's __init__ (run first by Python) is not an edge."""
    modules = {module_name(p) for p in project_files()}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for imp in all_imports():
        if not imp.top_level or _root(imp.module) not in PACKAGES:
            continue
        sub = f"{imp.module}.{imp.name}" if imp.name else None
        target = sub if sub in modules else imp.module
        if target in modules and target != module_name(imp.path):
            graph[module_name(imp.path)].add(target)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:  # recursion depth <= number of modules (~200)
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
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

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def test_circles_are_found():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_between_project_modules():
    graph = import_graph()
    lines = []
    for component in circles(graph):
        inside = set(component)
        lines.append(" <-> ".join(component))
        for m in component:
            lines += [f"    {m} imports {w}" for w in sorted(graph[m] & inside)]
    assert not lines, "import circles (module-level imports):\n" + "\n".join(lines)


def test_the_parser_sees_imports_inside_functions():
    source = "import os\n\ndef f():\n    from playground.i18n import t\n\nfrom . import markup\n"
    found = imports_of(ROOT / "playground" / "tabs" / "probe.py", source)
    assert [(i.module, i.name, i.top_level) for i in found] == [
        ("os", None, True),
        ("playground.i18n", "t", False),
        ("playground.tabs", "markup", True),
    ]
