"""The compiled extension ``thresher._speedups`` (built from src/thresher/_speedups*.c when a C
compiler is there at install time). Every hot loop in it has a Python or numpy fallback with the same
results, used when the extension is missing or was built from older sources that lack a function."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


def extension(*names: str) -> ModuleType | None:
    """The extension module when it is built and has every one of ``names``; else None."""
    try:
        module = importlib.import_module("thresher._speedups")
    except ImportError:  # pragma: no cover - depends on the build
        return None
    return module if all(hasattr(module, name) for name in names) else None


def function(name: str) -> Any:
    """One function of the extension, None when it is not built or lacks it."""
    return getattr(extension(), name, None)
