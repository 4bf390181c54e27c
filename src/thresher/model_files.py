"""The model files: packaged under ``thresher/data`` or, for evaluation, at a path the options give;
and the files built from them once per machine (the stories encoder's graph), kept in a cache folder."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path


def read_model_file(resource: str, path: str | None = None) -> str | None:
    """The text of the packaged model ``resource`` (``"data/..."``), or of the file at ``path``;
    None when ``path`` is ``"none"`` (no model asked for) or the file is not there."""
    if path == "none":
        return None
    try:
        if path is None:
            return resources.files("thresher").joinpath(resource).read_text("utf-8")
        return Path(path).read_text("utf-8")
    except (FileNotFoundError, OSError):
        return None


def user_cache_dir() -> Path | None:
    """Where files built once per machine are kept for this user: ``$XDG_CACHE_HOME/thresher``
    (``~/.cache/thresher``); None when there is no usable home (a container's user without a passwd
    entry, an empty ``HOME``): then each process builds its own."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):
        if os.environ.get("HOME") == "":
            return None
        try:
            home = Path.home()
        except (RuntimeError, KeyError):
            return None
        if not home.is_absolute():
            return None
        base = str(home / ".cache")
    return Path(base) / "thresher"


def file_digest(path: Path, salt: str, *, size: int = 10) -> str:
    """A hex digest of ``salt`` and the bytes of the file at ``path`` (read in 1 MB chunks)."""
    key = hashlib.blake2b(salt.encode(), digest_size=size)
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            key.update(chunk)
    return key.hexdigest()


UNUSED_DAYS = 30
"""A cached file that no process has read for this many days is removed when a sibling (same name
up to its first ``-``: another version of the same model's file) is written."""


def cached_file(cache_dir: Path | None, name: str, build: Callable[[], bytes]) -> bytes:
    """The bytes of ``cache_dir/name`` when built there before; else ``build()``, written there
    atomically (whole or not at all, for processes reading at once). A read-only or full cache, or
    none (``None``), only costs the next process a rebuild. Reading a file marks it used (its
    modification time); writing one removes its siblings unused for ``UNUSED_DAYS`` days (the files
    of older versions and options) and abandoned partial writes, so the folder does not grow with
    every upgrade."""
    if cache_dir is not None:
        path = cache_dir / name
        if path.is_file():
            data = path.read_bytes()
            with contextlib.suppress(OSError):  # a read-only cache: nothing to mark
                os.utime(path)
            return data
    data = build()
    if cache_dir is not None:
        tmp = None
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".part")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, cache_dir / name)
        except OSError:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
        else:
            prune_cache(cache_dir, keep=name)
    return data


def prune_cache(cache_dir: Path, *, keep: str, now: float | None = None) -> list[str]:
    """Remove the siblings of ``keep`` (same name up to its first ``-``) unused for ``UNUSED_DAYS``
    days, and ``.part`` files (writes a killed process left) older than a day; the names removed."""
    now = time.time() if now is None else now
    family = keep.split("-", 1)[0] + "-"
    removed: list[str] = []
    try:
        entries = list(os.scandir(cache_dir))
    except OSError:
        return removed
    for entry in entries:
        if entry.name == keep or not entry.is_file(follow_symlinks=False):
            continue
        try:
            age = now - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        stale_part = entry.name.endswith(".part") and age > 86_400
        if stale_part or (entry.name.startswith(family) and age > UNUSED_DAYS * 86_400):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(entry.name)
    return removed
