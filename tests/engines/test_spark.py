"""The Spark engine writes byte for byte what the local engine writes (``local[2]``, one session)."""

import shutil

import pytest

from thresher.corpus.config import RunConfig
from thresher.engines.local import LocalEngine
from thresher.engines.pipeline import run_corpus
from thresher.engines.shards import plan_shards
from thresher.testing import corpus as factory

from .conftest import output_files

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::ResourceWarning"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]
CONFIG = RunConfig()


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("spark-corpus")
    factory.make_corpus(root, shards=6, pages=2)
    return plan_shards([str(root)])


@pytest.fixture(scope="module")
def reference(small_corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    stats = run_corpus(small_corpus, CONFIG, str(out), LocalEngine(workers=1))
    assert stats.duplicates == 3 and stats.check()
    return out


def test_spark_and_local_engines_write_identical_files(spark, small_corpus, reference, tmp_path):
    """... and say what they are doing: `--engine spark` turns Spark's own progress bar off, and a run
    printed nothing until its summary."""
    import io

    from thresher.engines.spark import SparkEngine

    said = io.StringIO()
    stats = run_corpus(small_corpus, CONFIG, str(tmp_path), SparkEngine(spark=spark, progress=said))
    assert stats.duplicates == 3
    assert output_files(tmp_path) == output_files(reference)
    lines = said.getvalue().splitlines()
    assert lines[0] == f"thresher run: extract {len(small_corpus)} shards on Spark"
    assert any(line.startswith("thresher run: dedup on Spark") for line in lines)
    assert lines[-1].startswith(f"thresher run: write {len(small_corpus)} shards done in ")


def test_spark_label_propagation_continues_a_local_run(spark, small_corpus, reference, tmp_path):
    """Phase 1 by the local engine, phases 2 and 3 on Spark with groups formed by label propagation."""
    from thresher.engines.spark import SparkEngine

    (tmp_path / "_work").mkdir()
    shutil.copytree(reference / "_work" / "extract", tmp_path / "_work" / "extract")
    shutil.copy(reference / "_work" / "run.json", tmp_path / "_work" / "run.json")
    run_corpus(small_corpus, CONFIG, str(tmp_path), SparkEngine(spark=spark, max_driver_edges=0))
    assert output_files(tmp_path) == output_files(reference)
