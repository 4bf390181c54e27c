"""The model files: packaged under ``thresher/data`` or, for evaluation, at a path the options give;
and the files built from them once per machine (the stories encoder's graph), kept in a cache folder."""

from __future__ import annotations

import hashlib
import os
import tempfile
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


def cached_file(cache_dir: Path | None, name: str, build: Callable[[], bytes]) -> bytes:
    """The bytes of ``cache_dir/name`` when built there before; else ``build()``, written there
    atomically (whole or not at all, for processes reading at once). A read-only or full cache, or
    none (``None``), only costs the next process a rebuild."""
    if cache_dir is not None:
        path = cache_dir / name
        if path.is_file():
            return path.read_bytes()
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
    return data
