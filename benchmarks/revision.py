"""The package as it was at a git revision, for the sameness checks of ``html_speed.py same`` and
``text_mode.py --same`` (imported by those scripts; not run on its own)."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def package_at(rev: str, workdir: Path, files: Sequence[str], *, compiled: bool = False) -> Any:
    """The working tree's package with ``files`` (paths under src/thresher) taken from ``rev``,
    importable as ``thresher_rev``, so that a change elsewhere in the tree cannot show up as a
    difference. Without ``compiled`` the extension is left out and the old side runs its
    pure-Python/numpy code."""
    target = workdir / "thresher_rev"
    ignore = ("__pycache__",) if compiled else ("__pycache__", "*.so", "*.pyd")
    shutil.copytree(ROOT / "src" / "thresher", target, ignore=shutil.ignore_patterns(*ignore))
    for rel in files:
        old = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:src/thresher/{rel}"],
                             check=True, capture_output=True, text=True).stdout
        (target / rel).write_text(old, encoding="utf-8")
    for path in target.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\b(from|import) thresher\b", r"\1 thresher_rev", text)
        text = text.replace('files("thresher")', 'files("thresher_rev")')
        path.write_text(text, encoding="utf-8")
    sys.path.insert(0, str(workdir))
    return importlib.import_module("thresher_rev")
