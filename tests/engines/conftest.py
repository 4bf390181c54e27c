"""Shared fixtures of the engine tests: one synthetic corpus, one local run over it, one SparkSession."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from thresher.cli.main import main
from thresher.testing import corpus as factory


def output_files(root: Path) -> dict[str, bytes]:
    """Every final file of a run (parts and stats.json), by relative path."""
    files = {}
    for kind in ("data", "rejected", "failed", "duplicates"):
        for path in sorted((root / kind).glob("*")):
            files[f"{kind}/{path.name}"] = path.read_bytes()
    files["stats.json"] = (root / "stats.json").read_bytes()
    return files


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("corpus")
    planted = factory.make_corpus(root)
    return root, planted


@pytest.fixture(scope="session")
def local_run(corpus: tuple[Path, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default run over ``corpus`` with two local workers (the reference output)."""
    out = tmp_path_factory.mktemp("local-run")
    assert main(["run", str(corpus[0]), "-o", str(out), "--workers", "2"]) == 0
    return out


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local SparkSession for the test session; on CI a missing pyspark fails instead of skipping."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("pyspark is not installed, and CI must run the Spark tests: pip install '.[spark]'")
        pytest.skip("pyspark is not installed (pip install 'thresher[spark]')")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]").appName("thresher-tests")
        .config("spark.driver.memory", "1g")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
