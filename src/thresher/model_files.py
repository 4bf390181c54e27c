"""The model files: packaged under ``thresher/data`` or, for evaluation, at a path the options give."""

from __future__ import annotations

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
