"""A package's public names loaded on first use (PEP 562: a module's `__getattr__` and `__dir__`), so that
importing one plain module of the package does not run every heavy import of its `__init__`: lstmlm's
(torch) and playground.plots' (plotly)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_attributes(
    namespace: dict[str, Any], homes: Mapping[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The `__getattr__` and `__dir__` of the package whose globals are `namespace`: a name of `homes`
    (public name -> the module that defines it) is imported from its module on first use and kept in
    `namespace`; any other public name is tried as a submodule (`pkg.sub` after a bare `import pkg`).
    AttributeError for the rest, as for a missing attribute."""
    package = namespace["__name__"]

    def __getattr__(name: str) -> object:
        if name in homes:
            value = getattr(import_module(homes[name]), name)
            namespace[name] = value  # later look-ups skip this function
            return value
        if not name.startswith("_"):
            try:
                return import_module(f"{package}.{name}")
            except ModuleNotFoundError as e:
                if e.name != f"{package}.{name}":
                    raise  # the submodule exists but one of its own imports is missing
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(homes))

    return __getattr__, __dir__
