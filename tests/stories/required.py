"""What a stories test needs: missing is a skip on a developer's machine, a failure in CI (which
installs the [stories] extra and builds the extension)."""

import importlib
import os

import pytest


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing in CI")
    pytest.skip(f"{what} is not installed")


def modules(*names: str) -> None:
    """Import ``names`` (an extra's packages) or skip the calling module (fail in CI)."""
    for name in names:
        if os.environ.get("CI") == "true":
            importlib.import_module(name)
        else:
            pytest.importorskip(name)


def compiled(found: object, name: str) -> None:
    """Skip (fail in CI) when the extension's function ``name`` is missing (``found`` is None)."""
    if found is None:
        _missing(f"thresher._speedups.{name}")
