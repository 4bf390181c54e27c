"""``run --stories``: story ids on documents, the same on the local engine and on Spark."""

import json
import random
from pathlib import Path

import pytest

from thresher.cli.main import main
from thresher.corpus.config import RunConfig
from thresher.engines.local import LocalEngine
from thresher.engines.pipeline import run_corpus
from thresher.engines.shards import plan_shards
from thresher.stories import StoriesOptions
from thresher.testing import corpus as factory

# Headlines written for Thresher (Apache-2.0): two stories told by several sites, the rest alone.
HEADLINES = [
    ("UAW reaches tentative deal with Ford", "uaw"),
    ("UAW reaches tentative labor agreement with Ford", "uaw"),
    ("Ford and UAW reach tentative agreement that would end 6-week strike", "uaw"),
    ("Giant pandas to leave the National Zoo for China", "pandas"),
    ("Giant pandas leave National Zoo early for China", "pandas"),
    ("Ford recalls 200,000 pickup trucks over faulty brakes", None),
    ("Lions center Frank Ragnow announces his retirement", None),
    ("Council approves new budget for city schools", None),
    ("Heavy snow closes mountain passes across the Alps", None),
]
STORIES = StoriesOptions(backend="lexical")
CONFIG = RunConfig()


# Evergreen pages (written for Thresher, Apache-2.0): one topic, no date, no event.
EVERGREEN = [
    "What is Cloud Computing?",
    "Investing in Cloud Computing Stocks",
    "Cloud Computing Services for Small Business",
]
PUBLISHED = '<meta property="article:published_time" content="2023-10-2{day}T09:00:00Z">'


def make_news(root: Path, shards: int = 3, *, dated: bool = True) -> None:
    """WARC shards of news pages (one headline each, a lead in its words, then random-word paragraphs,
    a publication date unless ``dated`` is false), spread over three sites."""
    rng = random.Random(3)
    pages: list[list[tuple[str, bytes]]] = [[] for _ in range(shards)]
    for k, (headline, _) in enumerate(HEADLINES):
        _, paragraphs = factory._article(rng)
        site = factory.SITES[k % 3]
        # the lead tells the story again (the headline's words), the rest is random words
        html = factory._html(headline, [f"{headline}.", *paragraphs], site)
        if dated:
            html = html.replace(b"</head>", PUBLISHED.format(day=k % 2).encode() + b"</head>")
        pages[k % shards].append((f"https://{site}/news/{k}", html))
    for s, shard_pages in enumerate(pages):
        factory.write_warc(root / f"news-{s:03d}.warc.gz", shard_pages)


def make_evergreen(root: Path, *, dated: bool = False) -> None:
    """A general crawl: undated pages on one topic whose first paragraphs share its words (``dated``:
    the same pages with a publication date)."""
    rng = random.Random(5)
    pages = []
    for k, title in enumerate(EVERGREEN):
        _, paragraphs = factory._article(rng)
        intro = f"{title}: cloud computing delivers computing services, storage and software over the internet."
        site = factory.SITES[k % 3]
        html = factory._html(title, [intro, *paragraphs], site)
        if dated:
            html = html.replace(b"</head>", PUBLISHED.format(day=0).encode() + b"</head>")
        pages.append((f"https://{site}/guide/{k}", html))
    factory.write_warc(root / "guides-000.warc.gz", pages)


def records(out: Path) -> list[dict]:
    rows = []
    for path in sorted((out / "data").glob("part-*.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return rows


def story_files(out: Path) -> dict[str, bytes]:
    files = {f"data/{p.name}": p.read_bytes() for p in sorted((out / "data").glob("*"))}
    files["stories.jsonl"] = (out / "stories.jsonl").read_bytes()
    return files


@pytest.fixture(scope="module")
def news(tmp_path_factory):
    root = tmp_path_factory.mktemp("news")
    make_news(root)
    return plan_shards([str(root)])


@pytest.fixture(scope="module")
def local_stories(news, tmp_path_factory):
    out = tmp_path_factory.mktemp("local-stories")
    run_corpus(news, CONFIG, str(out), LocalEngine(workers=1), stories=STORIES)
    return out


def test_documents_of_one_story_share_its_id(local_stories):
    rows = records(local_stories)
    assert len(rows) == len(HEADLINES)
    gold = dict(HEADLINES)
    by_story: dict[str, set[str]] = {}
    for row in rows:
        by_story.setdefault(row["story"], set()).add(gold[row["title"]] or row["title"])
    assert sorted(sorted(g) for g in by_story.values() if len(g) > 0) == sorted(
        [["uaw"], ["pandas"]] + [[h] for h, g in HEADLINES if g is None]
    )
    assert all(len(g) == 1 for g in by_story.values())  # no story mixes two
    listed = [json.loads(line) for line in (local_stories / "stories.jsonl").read_text().splitlines()]
    assert sorted(s["size"] for s in listed) == [2, 3]
    assert {row["story"] for row in rows if dict(HEADLINES)[row["title"]] == "uaw"} == {
        s["id"] for s in listed if s["size"] == 3
    }


def test_stories_are_added_to_a_finished_run(news, local_stories, tmp_path):
    assert main(["run", str(Path(news[0].paths[0]).parent), "-o", str(tmp_path), "--workers", "1"]) == 0
    assert all("story" not in row for row in records(tmp_path))
    assert main(["run", str(Path(news[0].paths[0]).parent), "-o", str(tmp_path), "--workers", "1",
                 "--stories"]) == 0
    assert story_files(tmp_path) == story_files(local_stories)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_spark_gives_the_same_story_ids(spark, news, local_stories, tmp_path):
    from thresher.engines.spark import SparkEngine

    run_corpus(news, CONFIG, str(tmp_path), SparkEngine(spark=spark), stories=STORIES)
    assert story_files(tmp_path) == story_files(local_stories)


def test_undated_pages_of_one_topic_get_no_shared_story(tmp_path):
    """Issue 9: a general crawl made "stories" of undated evergreen pages on one topic; the same pages
    given dates (news of one day) still form one, so the date is what decides."""
    (tmp_path / "in").mkdir()
    make_evergreen(tmp_path / "in")
    run_corpus(plan_shards([str(tmp_path / "in")]), CONFIG, str(tmp_path / "out"), LocalEngine(workers=1),
               stories=STORIES)
    rows = records(tmp_path / "out")
    assert len(rows) == len(EVERGREEN) and not any(row["date"] for row in rows)
    assert len({row["story"] for row in rows}) == len(EVERGREEN)
    assert (tmp_path / "out" / "stories.jsonl").read_text() == ""
    (tmp_path / "dated").mkdir()
    make_evergreen(tmp_path / "dated", dated=True)
    run_corpus(plan_shards([str(tmp_path / "dated")]), CONFIG, str(tmp_path / "dated-out"), LocalEngine(workers=1),
               stories=STORIES)
    assert len({row["story"] for row in records(tmp_path / "dated-out")}) < len(EVERGREEN)


def test_story_counts_are_in_the_runs_stats(local_stories):
    stats = json.loads((local_stories / "stats.json").read_text())
    assert stats["accounted"]
    assert stats["stories"] == {"items": len(HEADLINES), "stories": 6, "multi_member": 2, "in_multi_member": 5}


PARQUET = RunConfig(output_format="parquet")


def parquet_rows(out: Path) -> list[dict]:
    pq = pytest.importorskip("pyarrow.parquet")
    return [row for path in sorted((out / "data").glob("part-*.parquet")) for row in pq.read_table(path).to_pylist()]


@pytest.fixture(scope="module")
def local_parquet(news, tmp_path_factory):
    pytest.importorskip("pyarrow")
    out = tmp_path_factory.mktemp("local-parquet")
    stats = run_corpus(news, PARQUET, str(out), LocalEngine(workers=1), stories=STORIES)
    return out, stats


def test_parquet_parts_get_a_story_column(local_parquet, local_stories):
    out, stats = local_parquet
    assert stats.stories["multi_member"] == 2
    by_title = {row["title"]: row["story"] for row in records(local_stories)}
    assert {row["title"]: row["story"] for row in parquet_rows(out)} == by_title  # the same ids as JSONL
    assert (out / "stories.jsonl").read_bytes() == (local_stories / "stories.jsonl").read_bytes()
    assert json.loads((out / "stats.json").read_text())["stories"] == stats.stories


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_spark_writes_the_same_parquet_story_ids(spark, news, local_parquet, tmp_path):
    from thresher.engines.spark import SparkEngine

    out, _ = local_parquet
    run_corpus(news, PARQUET, str(tmp_path), SparkEngine(spark=spark), stories=STORIES)
    assert sorted((r["id"], r["story"]) for r in parquet_rows(tmp_path)) == sorted(
        (r["id"], r["story"]) for r in parquet_rows(out))
    assert (tmp_path / "stories.jsonl").read_bytes() == (out / "stories.jsonl").read_bytes()


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_spark_keeps_undated_pages_apart_too(spark, tmp_path):
    from thresher.engines.spark import SparkEngine

    (tmp_path / "in").mkdir()
    make_news(tmp_path / "in")
    make_evergreen(tmp_path / "in")
    shards = plan_shards([str(tmp_path / "in")])
    run_corpus(shards, CONFIG, str(tmp_path / "local"), LocalEngine(workers=1), stories=STORIES)
    run_corpus(shards, CONFIG, str(tmp_path / "spark"), SparkEngine(spark=spark), stories=STORIES)
    assert story_files(tmp_path / "spark") == story_files(tmp_path / "local")
    assert sorted(s["size"] for s in map(json.loads, (tmp_path / "local" / "stories.jsonl").open())) == [2, 3]
