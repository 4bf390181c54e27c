"""Shards: the units of work of a run, planned from the input paths, directories and globs.

An archive (``.warc``, ``.wet``, ``.arc``) or JSONL file is one shard; single-page files (HTML, text,
anything else) are grouped in input order into shards of ``shard_size`` files. Shards are numbered
in input order (paths sorted inside a directory or glob), and the number names the final parts
(``data/part-00007.jsonl``).

A shard's key names its intermediate files: the file stem plus a hash of each file's absolute path,
size and first 64 KiB. It is stable across reruns (an ``mtime`` change from a copy does not
matter), and changes when the input does, so a changed input is never mistaken for a finished one.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from thresher.read.sources import JSONL_EXTENSIONS, NOT_INPUT_EXTENSIONS, WARC_EXTENSIONS

HEAD_BYTES = 1 << 16
_GLOB_CHARS = frozenset("*?[")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
RUN_RECORD = os.path.join("_work", "run.json")
"""The file that marks a folder as the output of a run (``engines.workdir``)."""


class PlanError(ValueError):
    """An input entry that names nothing (no such file, a glob without matches)."""


@dataclass(frozen=True, slots=True)
class Shard:
    index: int
    key: str
    paths: tuple[str, ...]

    @property
    def part(self) -> str:
        """The name of this shard's final parts, without extension."""
        return f"part-{self.index:05d}"


def plan_shards(entries: Sequence[str], *, shard_size: int = 1000, exclude: Sequence[str] = ()) -> list[Shard]:
    """The shards of a run over ``entries`` (files, directories, globs), in input order.

    Files under ``exclude`` (the run's own output directory) are left out, and so is, inside a
    directory, the folder of any other run (one with ``_work/run.json``) and every run's ``_work``.
    Raises ``PlanError`` for an entry that names no file. A file named twice is read once.
    """
    groups: list[tuple[str, ...]] = []
    loose: list[str] = []
    seen: set[str] = set()
    skip = tuple(os.path.join(os.path.realpath(path), "") for path in exclude)
    for path in _files(entries):
        real = os.path.realpath(path)
        if real in seen or real.startswith(skip) or _in_work_folder(real):
            continue
        seen.add(real)
        if _is_container(path):
            if loose:
                groups.append(tuple(loose))
                loose = []
            groups.append((path,))
        else:
            loose.append(path)
            if len(loose) >= shard_size:
                groups.append(tuple(loose))
                loose = []
    if loose:
        groups.append(tuple(loose))
    return [Shard(index=i, key=shard_key(paths), paths=paths) for i, paths in enumerate(groups)]


def shard_key(paths: Sequence[str]) -> str:
    """The stable key of a shard made of ``paths`` (see the module notes)."""
    digest = hashlib.blake2b(digest_size=6)
    for path in paths:
        digest.update(os.path.abspath(path).encode("utf-8", "surrogateescape") + b"\0")
        try:
            digest.update(str(os.path.getsize(path)).encode() + b"\0")
            with open(path, "rb") as handle:
                digest.update(handle.read(HEAD_BYTES))
        except OSError:
            digest.update(b"unreadable")
    stem = os.path.basename(paths[0])
    for suffix in (".gz", ".warc", ".wet", ".arc", ".jsonl", ".ndjson", ".json", ".html", ".htm"):
        stem = stem.removesuffix(suffix)
    stem = _UNSAFE.sub("_", stem)[:40] or "shard"
    if len(paths) > 1:
        stem += f"+{len(paths) - 1}"
    return f"{stem}-{digest.hexdigest()}"


def _files(entries: Sequence[str]) -> Iterator[str]:
    for entry in entries:
        if os.path.isdir(entry):
            yield from _walk(entry)
        elif os.path.isfile(entry):
            yield entry
        elif _GLOB_CHARS & set(entry):
            matches = sorted(glob.glob(entry, recursive=True))
            if not matches:
                raise PlanError(f"no files match {entry}")
            for match in matches:
                if os.path.isdir(match):
                    yield from _walk(match)
                elif os.path.isfile(match):
                    yield match
        else:
            raise PlanError(f"no such file or directory: {entry}")


def _walk(root: str) -> Iterator[str]:
    """Files under ``root``, depth first in name order; hidden entries, assets, code and docs left out."""
    for current, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not _is_run_folder(os.path.join(current, d)))
        for name in sorted(files):
            if name.startswith(".") or os.path.splitext(name)[1].lower() in NOT_INPUT_EXTENSIONS:
                continue
            yield os.path.join(current, name)


def _is_run_folder(path: str) -> bool:
    """The output folder of a ``thresher run`` (or its ``_work`` folder)."""
    return os.path.isfile(os.path.join(path, RUN_RECORD)) or (
        os.path.basename(path) == "_work" and os.path.isfile(os.path.join(path, "run.json")))


def _in_work_folder(real: str) -> bool:
    """A run's intermediate file (``OUT/_work/...``), whatever entry named it."""
    parts = real.split(os.sep)
    return any(part == "_work" and os.path.isfile(os.sep.join([*parts[: i + 1], "run.json"]))
               for i, part in enumerate(parts[:-1]))


def _is_container(path: str) -> bool:
    """Archives and JSONL files hold many records: one shard each."""
    name = path.lower().removesuffix(".gz")
    if name.endswith(WARC_EXTENSIONS + JSONL_EXTENSIONS):
        return True
    if name.endswith((".html", ".htm", ".xhtml", ".shtml", ".txt", ".text")):
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(512)
    except OSError:
        return False
    if head.startswith(b"\x1f\x8b"):
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, 16)
        except zlib.error:
            return False
    return head.startswith(b"WARC/")
