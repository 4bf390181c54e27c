"""Where rendered records go: one stream (stdout or ``-o FILE``) or one file per input in a directory.

Both sinks take results one at a time, so output streams however many inputs there are.
``write`` answers whether the result was written: txt and Markdown have nothing to write for a
failure or a rejected document, and the caller counts those.
"""

from __future__ import annotations

import gzip
import io
import re
from pathlib import Path
from types import TracebackType
from typing import IO, TextIO
from urllib.parse import urlsplit

from thresher.model import Document, Result
from thresher.write.formats import Format
from thresher.write.jsonl import record

_UNSAFE = re.compile(r"[^\w.-]+")
_CONTAINER_SUFFIXES = (".gz", ".bz2", ".xz", ".zst", ".lz4")
_MAX_STEM = 100
ERRORS = "backslashreplace"
"""How output streams write what UTF-8 cannot hold: the lone surrogates of a file name that is not
UTF-8 (``caf\\udce9.html``) become ``\\udce9``, which is also the JSON escape that reads back exactly."""


class Output:
    """A sink for results in one format."""

    def __init__(self, fmt: Format, *, with_metadata: bool = False) -> None:
        self.format = fmt
        self.with_metadata = with_metadata

    def write(self, result: Result) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        """Finish the output (a stream's footer); safe to call twice."""

    def __enter__(self) -> Output:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class StreamOutput(Output):
    """All records into one text stream, framed by the format's header, separators and footer."""

    def __init__(
        self, stream: TextIO, fmt: Format, *, with_metadata: bool = False, owns_stream: bool = False
    ) -> None:
        super().__init__(fmt, with_metadata=with_metadata)
        self.stream = stream
        self._owns = owns_stream
        self._count = 0
        self._closed = False
        if fmt.header:
            stream.write(fmt.header)

    @classmethod
    def to_file(cls, path: str | Path, fmt: Format, *, with_metadata: bool = False) -> StreamOutput:
        """Write into ``path`` (UTF-8, newlines as rendered), replacing it; gzipped when the name ends
        in ``.gz`` (no time stamp in the gzip header: the same input gives the same bytes)."""
        stream: TextIO
        if str(path).lower().endswith(".gz"):
            raw = open(path, "wb")  # noqa: SIM115 - closed with the text stream
            packed = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)
            stream = _Closing(io.TextIOWrapper(packed, encoding="utf-8", errors=ERRORS, newline=""), raw)
        else:
            stream = open(path, "w", encoding="utf-8", errors=ERRORS, newline="")  # noqa: SIM115 - closed by close()
        return cls(stream, fmt, with_metadata=with_metadata, owns_stream=True)

    def write(self, result: Result) -> bool:
        body = self.format.render(result, with_metadata=self.with_metadata)
        if body is None:
            return False
        if self._count and self.format.separator:
            self.stream.write(self.format.separator)
        self.stream.write(body)
        self._count += 1
        return True

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.format.footer:
            self.stream.write(self.format.footer)
        if self._owns:
            self.stream.close()
        else:
            self.stream.flush()


class ParquetOutput(Output):
    """Every document as one row of a Parquet file (the columns of ``thresher run --format parquet``,
    plus the removed blocks and ``--with-html``'s HTML, as in a JSONL record), written a row group at
    a time; the file takes its name when the output closes (Parquet's footer comes last), and a run
    that fails or is interrupted inside ``with`` leaves none. Failures
    are no rows (``write`` answers False: the caller reports them); rejected documents are rows with
    their ``rejected`` reason."""

    def __init__(self, path: str | Path, fmt: Format, *, with_metadata: bool = False) -> None:
        super().__init__(fmt, with_metadata=with_metadata)
        from thresher.engines.parquet import ParquetWriter  # pyarrow only when asked for

        self.path = Path(path)
        self._writer = ParquetWriter(self.path)

    def write(self, result: Result) -> bool:
        if not isinstance(result, Document):
            return False
        self._writer.write(record(result))
        return True

    def close(self) -> None:
        self._writer.close()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """A run that fails or is interrupted leaves no Parquet file (nor a temporary one)."""
        if exc_type is None:
            self.close()
        else:
            self._writer.abort()


class _Closing(io.TextIOWrapper):
    """A text stream over a gzip member that also closes the file under it (GzipFile given a
    ``fileobj`` leaves it open)."""

    def __init__(self, text: io.TextIOWrapper, raw: IO[bytes]) -> None:
        super().__init__(text.detach(), encoding="utf-8", errors=ERRORS, newline="")
        self._raw = raw

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()


class DirectoryOutput(Output):
    """One file per result in ``directory``, named after its input (see :class:`FileNamer`)."""

    def __init__(self, directory: str | Path, fmt: Format, *, with_metadata: bool = False) -> None:
        super().__init__(fmt, with_metadata=with_metadata)
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.namer = FileNamer(fmt.extension)
        self.written: list[Path] = []

    def write(self, result: Result) -> bool:
        body = self.format.render(result, with_metadata=self.with_metadata)
        if body is None:
            return False
        path = self.directory / self.namer.name_for(result)
        with open(path, "w", encoding="utf-8", errors=ERRORS, newline="") as handle:
            handle.write(self.format.header + body + self.format.footer)
        self.written.append(path)
        return True


class FileNamer:
    """File names from inputs: ``page.html`` → ``page.txt``, record 3 of ``crawl.warc.gz`` →
    ``crawl-3.txt``, a URL → ``host_path.txt``; a name already used in this run gets ``-2``, ``-3``…"""

    def __init__(self, extension: str) -> None:
        self.extension = extension
        self._used: set[str] = set()

    def name_for(self, result: Result) -> str:
        stem = stem_for(result)
        name = stem + self.extension
        n = 1
        while name.lower() in self._used:
            n += 1
            name = f"{stem}-{n}{self.extension}"
        self._used.add(name.lower())
        return name


def stem_for(result: Result) -> str:
    """A file-system-safe stem naming the input a result came from."""
    prov = result.provenance
    source = prov.source or ""
    if "://" in source:
        parts = urlsplit(source)
        stem = f"{parts.hostname or ''}{parts.path}".rstrip("/")
        if parts.query:
            stem += "_" + parts.query
    elif source and not source.startswith("<"):
        name = Path(source).name
        for suffix in _CONTAINER_SUFFIXES:
            name = name.removesuffix(suffix)
        stem = Path(name).stem if "." in name.lstrip(".") else name
    else:
        stem = result.id or source.strip("<>") or "document"
    stem = _UNSAFE.sub("_", stem).strip("._-")[:_MAX_STEM] or "document"
    if prov.record is not None:
        stem = f"{stem}-{prov.record}"
    return stem
