"""The adversarial corpus written once per session: one directory holding every quick case."""

from __future__ import annotations

from pathlib import Path

import pytest

from .corpus import QUICK_CASES


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("adversarial")
    for case in QUICK_CASES:
        case.write(directory)
    return directory
