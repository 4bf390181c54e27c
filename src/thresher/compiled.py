"""The compiled extension ``thresher._speedups`` (built from src/thresher/_speedups*.c when a C
compiler is there at install time). Every hot loop in it has a Python or numpy fallback with the same
results, used when the extension is missing or was built from older sources that lack a function."""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Mapping
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


def slotted_maker(cls: type, shared: Mapping[str, object]) -> Callable[..., list[Any]] | None:
    """The extension's ``new_slotted`` when it can make instances of ``cls`` (a frozen dataclass with
    slots whose __init__ only stores its fields; ``shared``: values of some of them, as its __init__
    would get them), else None. ``new_slotted(cls, n, columns, shared)`` returns n instances, each
    field from ``columns`` (one list of n values per field) or ``shared``."""
    make = getattr(extension("new_slotted"), "new_slotted", None)
    if make is None or not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__"):
        return None
    names = tuple(f.name for f in dataclasses.fields(cls))
    if getattr(cls, "__slots__", None) != names or not set(shared) <= set(names):
        return None
    return make
