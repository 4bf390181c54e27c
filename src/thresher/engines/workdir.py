"""The output directory of a run: final parts, intermediate files, completion markers, atomic writes.

```
OUT/
  data/part-00000.jsonl[.gz] | .parquet   kept documents (id, text, metadata, provenance)
  rejected/part-00000.jsonl[.gz]          filtered documents, with ``rejected`` = "stage:reason"
  failed/part-00000.jsonl[.gz]            broken input, with ``error`` and ``message``
  duplicates/part-00000.jsonl[.gz]        duplicates, with ``duplicate_of`` = the survivor's id
  stats.json                              the merged counts; written last: its presence means done
  _work/run.json                          configuration (and its fingerprint), shard keys, version
  _work/extract/<shard key>.jsonl.gz      phase 1: every result of the shard, in reader order
  _work/extract/<shard key>.done          ... its completion marker (the shard's counts)
  _work/dedup/<shard key>.jsonl.gz        phase 2: the shard's duplicates and their survivors
  _work/dedup/boilerplate.json            site -> line keys of its boilerplate
  _work/dedup/_DONE                       ... the phase's marker (corpus-level counts)
  _work/final/<shard key>.done            phase 3: the shard's final parts are in place
```
Every file is written under a temporary name and renamed into place (atomic on POSIX), and a marker
is written only after what it vouches for; a killed run leaves at worst ``*.tmp-*`` files, which
the next run removes. Files are byte-for-byte reproducible (gzip headers carry no time or name).
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from thresher import __version__
from thresher.corpus.config import RunConfig
from thresher.engines.shards import Shard

PARTS = ("data", "rejected", "failed", "duplicates")
STORIES_FILE = "stories.jsonl"
"""The list of stories of ``run --stories`` (``engines.stories``), removed with the run's results."""
RUN_FORMAT = 1


class RunMismatch(RuntimeError):
    """The output directory holds a run with another configuration or other inputs."""


class WorkDir:
    """Paths of one run's output directory, and the checks that make a rerun safe."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.work = self.root / "_work"

    # phase 1
    def extracted(self, shard: Shard) -> Path:
        return self.work / "extract" / f"{shard.key}.jsonl.gz"

    def extract_marker(self, shard: Shard) -> Path:
        return self.work / "extract" / f"{shard.key}.done"

    # phase 2
    def duplicates_of(self, shard: Shard) -> Path:
        return self.work / "dedup" / f"{shard.key}.jsonl.gz"

    @property
    def boilerplate(self) -> Path:
        return self.work / "dedup" / "boilerplate.json"

    @property
    def dedup_marker(self) -> Path:
        return self.work / "dedup" / "_DONE"

    # phase 3
    def final_marker(self, shard: Shard) -> Path:
        return self.work / "final" / f"{shard.key}.done"

    def part(self, kind: str, shard: Shard, config: RunConfig) -> Path:
        if kind == "data" and config.output_format == "parquet":
            return self.root / kind / f"{shard.part}.parquet"
        return self.root / kind / f"{shard.part}.jsonl{'.gz' if config.compress else ''}"

    @property
    def stats(self) -> Path:
        return self.root / "stats.json"

    def prepare(self, config: RunConfig, shards: Iterable[Shard], *, fresh: bool = False, update: bool = False) -> None:
        """Create the directories; check that a previous run here had the same configuration, inputs
        and version of thresher (``RunMismatch`` saying what differs otherwise, unless ``fresh``: then
        its results are removed; or, when only the inputs differ, ``update``: then the extraction of
        the inputs still there is kept and the rest removed); clear temp files."""
        keys = [shard.key for shard in shards]
        run = {"format": RUN_FORMAT, "config": config.fingerprint(), "shards": keys, "thresher": __version__,
               "settings": config.to_dict()}
        record = self.work / "run.json"
        if record.exists():
            previous = json.loads(record.read_text(encoding="utf-8"))
            problem = _mismatch(previous, run)
            if problem is not None:
                inputs_only = problem.startswith("other inputs")
                if update and inputs_only:
                    self._discard(keep=frozenset(keys))
                elif fresh:
                    self._discard()
                else:
                    also = (", or --update to keep the extraction of the unchanged inputs and redo the rest"
                            if inputs_only else "")
                    raise RunMismatch(f"{self.root} holds a run with {problem}; use another --output-dir, "
                                      f"--fresh to discard it{also}")
        elif fresh:
            self._discard()
        for sub in ("extract", "dedup", "final"):
            (self.work / sub).mkdir(parents=True, exist_ok=True)
        for kind in PARTS:
            (self.root / kind).mkdir(parents=True, exist_ok=True)
        for folder in [self.root, self.work, *(self.work / s for s in ("extract", "dedup", "final")),
                       *(self.root / k for k in PARTS)]:
            for stale in folder.glob("*.tmp-*"):
                stale.unlink(missing_ok=True)
        if not record.exists() or json.loads(record.read_text(encoding="utf-8")) != run:
            write_bytes(record, json.dumps(run, indent=1).encode("utf-8"))

    def _discard(self, *, keep: frozenset[str] = frozenset()) -> None:
        """Remove the run's results; the extraction of the shards in ``keep`` (keys) stays."""
        folders = [*(self.root / k for k in PARTS), *(self.work / s for s in ("extract", "dedup", "final", "stories"))]
        for folder in folders:
            if folder.is_dir():
                for child in folder.iterdir():
                    if folder.name == "extract" and _shard_of(child.name) in keep:
                        continue
                    child.unlink()
        self.stats.unlink(missing_ok=True)
        (self.root / STORIES_FILE).unlink(missing_ok=True)
        (self.work / "run.json").unlink(missing_ok=True)


def _shard_of(name: str) -> str:
    """The shard key of a file of ``_work/extract`` (``KEY.jsonl.gz``, ``KEY.done``)."""
    return name.removesuffix(".jsonl.gz").removesuffix(".done")


def _mismatch(previous: Mapping[str, Any], run: Mapping[str, Any]) -> str | None:
    """What makes the run recorded in ``previous`` another run than ``run`` (None: the same run).
    A record written before versions were recorded counts as this version's."""
    if previous.get("thresher", run["thresher"]) != run["thresher"]:
        return f"results made by thresher {previous['thresher']} (this is {run['thresher']})"
    if previous.get("format") != run["format"] or previous.get("config") != run["config"]:
        changes = _changes(previous.get("settings"), run["settings"])
        return "another configuration" + (f" ({'; '.join(changes)})" if changes else "")
    if previous.get("shards") != run["shards"]:
        before, now = set(previous.get("shards") or ()), set(run["shards"])
        added, gone = len(now - before), len(before - now)
        if not added and not gone:
            return "other inputs (the same inputs in another order)"
        return (f"other inputs ({added} input{'s' * (added != 1)} added, {gone} gone or changed; a changed "
                "file, a moved folder or another shard size counts as another input)")
    return None


def _changes(before: Any, now: Any, prefix: str = "") -> list[str]:
    """``name: old → new`` for every setting that differs (nested settings as ``dedup.threshold``)."""
    if not isinstance(before, Mapping) or not isinstance(now, Mapping):
        return [] if prefix == "" else [f"{prefix.rstrip('.')}: {before!r} → {now!r}"]
    out = []
    for name in sorted(set(before) | set(now)):
        old, new = before.get(name), now.get(name)
        if old == new:
            continue
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            out += _changes(old, new, f"{prefix}{name}.")
        else:
            out.append(f"{prefix}{name}: {_shown(old)} → {_shown(new)}")
    return out


def _shown(value: Any) -> str:
    return "none" if value is None else str(value)


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """A binary handle on a temporary file that becomes ``path`` (fsynced, renamed) when the block
    ends without an error, and is removed otherwise."""
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    handle = open(tmp, "wb")  # noqa: SIM115 - closed below on both paths
    try:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        os.replace(tmp, path)
    except BaseException:
        handle.close()
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(path: Path, data: bytes) -> None:
    with atomic_file(path) as handle:
        handle.write(data)


_ERRORS = "backslashreplace"
"""What UTF-8 cannot hold, the lone surrogates of a file name that is not UTF-8 (``caf\\udce9.html``),
becomes ``\\udce9``: the JSON escape, which reads back as the same name (as ``thresher extract`` writes it)."""


def write_json(path: Path, value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    write_bytes(path, text.encode("utf-8", _ERRORS))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def json_line(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8", _ERRORS)


@contextlib.contextmanager
def jsonl_writer(path: Path, *, compress: bool) -> Iterator[IO[bytes]]:
    """An atomic JSONL file, gzipped (with a fixed header: no name, no time) when ``compress``."""
    with atomic_file(path) as raw:
        if not compress:
            yield raw
            return
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as zipped:
            yield zipped  # type: ignore[misc]


def write_jsonl(path: Path, records: Iterable[Mapping[str, Any]], *, compress: bool) -> None:
    with jsonl_writer(path, compress=compress) as handle:
        for rec in records:
            handle.write(json_line(rec))


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a JSONL file, gzipped or not."""
    with open(path, "rb") as raw:
        magic = raw.read(2)
        raw.seek(0)
        stream: IO[bytes] = (
            gzip.GzipFile(fileobj=raw, mode="rb") if magic == b"\x1f\x8b" else raw  # type: ignore[assignment]
        )
        with io.TextIOWrapper(stream, encoding="utf-8") as text:  # closing it closes ``raw`` too
            for line in text:
                if line.strip():
                    yield json.loads(line)
