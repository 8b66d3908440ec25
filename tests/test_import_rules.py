"""The arrows of ARCHITECTURE.md, checked by reading every module's imports with `ast` (nothing is imported).

- lstmlm never imports gradio, plotly or playground;
- playground/plots never imports torch, gradio or lstmlm (plot functions take lists and arrays);
- playground/views never imports gradio or plotly;
- argparse only in lstmlm/cli and playground/__main__.py;
- no module imports another module's private (_name) name;
- no import circle between project modules (module-level imports; one inside a function runs later).
Imports inside functions count for every rule but the last. Each failure names the file and the import."""

from __future__ import annotations

import ast
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


def all_imports() -> list[Import]:
    return [imp for path in project_files() for imp in imports_of(path)]


def _root(module: str) -> str:
    return module.split(".")[0]


def _inside(path: Path, folder: str) -> bool:
    return path.relative_to(ROOT).as_posix().startswith(folder.rstrip("/") + "/")


FORBIDDEN = [  # (files, the top-level modules they must not import, why)
    ("lstmlm/", {"gradio", "plotly", "playground"}, "the library stays free of the app"),
    ("playground/plots/", {"torch", "gradio", "lstmlm"}, "plots take lists and arrays, return a Figure"),
    ("playground/views/", {"gradio", "plotly"}, "views are plain data"),
]
# The one exception, left open: every chart label passes through the classroom-safe word list
# (lstmlm.safewords, plain Python), but importing it runs lstmlm/__init__, which loads torch. To close it,
# the word list needs a home that plots can import without the library.
ALLOWED = {("playground/plots/", "lstmlm.safewords")}


def test_rooms_import_only_what_they_may():
    wrong = [
        f"{imp.where()}  ({why})"
        for imp in all_imports()
        for folder, banned, why in FORBIDDEN
        if _inside(imp.path, folder) and _root(imp.module) in banned and (folder, imp.module) not in ALLOWED
    ]
    assert not wrong, "forbidden imports:\n" + "\n".join(wrong)
