"""The inspector's corpus store: output records of ``thresher run``/``extract`` in SQLite with FTS5.

One ``documents`` table (one row per record: documents, rejected documents and failures alike) with an
index on every filter column, and an external-content FTS5 index over title and text. Listing pages
by keyset (``rowid`` after/before a bound), so the 5,000th page costs what the first does.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FILTERS = ("hostname", "language", "status", "rejected", "duplicate_of", "story")
"""Columns the listing can be filtered on (exact match)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    rowid INTEGER PRIMARY KEY,
    doc_id TEXT,
    url TEXT,
    hostname TEXT,
    title TEXT,
    language TEXT,
    status TEXT NOT NULL,            -- ok | duplicate | rejected | failed
    rejected TEXT,                   -- rejection reason, or the failure's error code
    duplicate_of TEXT,
    story TEXT,                      -- the news story id of `thresher run --stories`
    length INTEGER NOT NULL DEFAULT 0,
    text TEXT,
    source_file TEXT NOT NULL,
    line INTEGER NOT NULL,
    record TEXT NOT NULL             -- the whole record, JSON
);
CREATE INDEX IF NOT EXISTS documents_hostname ON documents(hostname);
CREATE INDEX IF NOT EXISTS documents_language ON documents(language);
CREATE INDEX IF NOT EXISTS documents_status ON documents(status);
CREATE INDEX IF NOT EXISTS documents_rejected ON documents(rejected);
CREATE INDEX IF NOT EXISTS documents_duplicate_of ON documents(duplicate_of);
CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(
    title, text, content='documents', content_rowid='rowid'
);
"""


_ADDED_COLUMNS = (("story", "TEXT"),)
"""Columns added after the first schema: added to an older store file when it is opened."""
_INDEXES = "CREATE INDEX IF NOT EXISTS documents_story ON documents(story);"


@dataclass(frozen=True, slots=True)
class ImportReport:
    files: int = 0
    records: int = 0
    skipped_lines: int = 0
    errors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Query:
    """A listing request: full-text search, exact filters and a keyset bound."""

    search: str = ""
    filters: Mapping[str, str] = field(default_factory=dict)
    after: int | None = None
    before: int | None = None
    limit: int = 50


@dataclass(frozen=True, slots=True)
class Row:
    rowid: int
    doc_id: str | None
    url: str | None
    hostname: str | None
    title: str | None
    language: str | None
    status: str
    rejected: str | None
    duplicate_of: str | None
    length: int
    snippet: str


@dataclass(frozen=True, slots=True)
class Listing:
    rows: tuple[Row, ...]
    total: int
    prev_before: int | None
    """Pass as ``before`` for the previous page (None on the first page)."""
    next_after: int | None
    """Pass as ``after`` for the next page (None on the last page)."""


def fts_query(search: str) -> str:
    """User words → an FTS5 query that cannot be a syntax error: each word quoted, all required."""
    words = [w.replace('"', '""') for w in search.split()]
    return " ".join(f'"{w}"' for w in words if w)


def _status(rec: Mapping[str, Any]) -> tuple[str, str | None]:
    if rec.get("error"):
        return "failed", str(rec["error"])
    rejected = rec.get("rejected")
    if rejected:
        return "rejected", str(rejected)
    if rec.get("duplicate_of"):
        return "duplicate", None
    return "ok", None


def _str(value: Any) -> str | None:
    return None if value is None or value == "" else _sql_text(str(value))


def _sql_text(text: str) -> str:
    """Text SQLite can store: a lone surrogate (a file name that is not UTF-8, ``caf\\udce9.html``, as
    ``thresher extract`` and ``run`` write it) becomes the text of its escape."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _record_json(rec: Mapping[str, Any]) -> str:
    """The record as stored; with ASCII escapes when it holds a lone surrogate, so that its source
    path reads back exactly and the file opens again."""
    text = json.dumps(rec, ensure_ascii=False)
    return text if _sql_text(text) is text else json.dumps(rec)


class Store:
    """A SQLite corpus database; one connection shared by the server's threads behind a lock."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        with self._lock:
            self._db.executescript(_SCHEMA)
            columns = {r[1] for r in self._db.execute("PRAGMA table_info(documents)")}
            for name, kind in _ADDED_COLUMNS:  # a store file written by an older version
                if name not in columns:
                    self._db.execute(f"ALTER TABLE documents ADD COLUMN {name} {kind}")
            self._db.executescript(_INDEXES)
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- import ------------------------------------------------------------------------------------
    def import_path(self, path: str | Path, *, batch: int = 2000) -> ImportReport:
        """Import a JSONL file (``.jsonl``/``.jsonl.gz``), a Parquet file, or a folder of them (recursively)."""
        root = Path(path)
        if root.is_dir():
            files = sorted(
                p for p in root.rglob("*")
                if p.is_file() and (p.name.endswith((".jsonl", ".jsonl.gz", ".parquet", ".ndjson")))
                and not _run_internal(p.relative_to(root), run_folder=(root / "stats.json").is_file())
            )
        elif root.is_file():
            files = [root]
        else:
            raise FileNotFoundError(f"no such file or folder: {root}")
        records = skipped = 0
        errors: list[str] = []
        for file in files:
            try:
                n, bad = self.import_records(_read_records(file), source_file=str(file), batch=batch)
            except (OSError, ValueError, ImportError) as err:
                errors.append(f"{file}: {err}")
                continue
            records += n
            skipped += bad
        return ImportReport(files=len(files), records=records, skipped_lines=skipped, errors=tuple(errors))

    def import_records(
        self, records: Iterable[tuple[int, Mapping[str, Any] | None]], *, source_file: str, batch: int = 2000
    ) -> tuple[int, int]:
        """Insert (line, record) pairs; a None record counts as a skipped (unreadable) line."""
        count = bad = 0
        rows: list[tuple[Any, ...]] = []
        for line, rec in records:
            if rec is None:
                bad += 1
                continue
            status, reason = _status(rec)
            text = rec.get("text") if isinstance(rec.get("text"), str) else ""
            rows.append((
                _str(rec.get("id")), _str(rec.get("url")), _str(rec.get("hostname")), _str(rec.get("title")),
                _str(rec.get("language")), status, reason, _str(rec.get("duplicate_of")), _str(rec.get("story")),
                len(text or ""),
                _sql_text(text or ""), _sql_text(source_file), line, _record_json(rec),
            ))
            if len(rows) >= batch:
                count += self._insert(rows)
                rows = []
        if rows:
            count += self._insert(rows)
        return count, bad

    def _insert(self, rows: list[tuple[Any, ...]]) -> int:
        with self._lock:
            cur = self._db.cursor()
            first = cur.execute("SELECT COALESCE(MAX(rowid), 0) FROM documents").fetchone()[0] + 1
            cur.executemany(
                "INSERT INTO documents (doc_id, url, hostname, title, language, status, rejected, duplicate_of,"
                " story, length, text, source_file, line, record) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            cur.execute(
                "INSERT INTO documents_fts (rowid, title, text) SELECT rowid, title, text FROM documents"
                " WHERE rowid >= ?",
                (first,),
            )
            self._db.commit()
        return len(rows)

    # -- queries -----------------------------------------------------------------------------------
    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def facets(self, column: str, limit: int = 50) -> list[tuple[str, int]]:
        """The most frequent values of a filter column, with their counts."""
        if column not in FILTERS:
            raise ValueError(f"unknown filter {column!r}")
        with self._lock:
            cur = self._db.execute(
                f"SELECT {column}, COUNT(*) AS n FROM documents WHERE {column} IS NOT NULL"
                f" GROUP BY {column} ORDER BY n DESC, {column} LIMIT ?",
                (limit,),
            )
            return [(str(r[0]), int(r[1])) for r in cur.fetchall()]

    def page(self, q: Query) -> Listing:
        where: list[str] = []
        args: list[Any] = []
        source = "documents d"
        if q.search.strip():
            source = "documents_fts f JOIN documents d ON d.rowid = f.rowid"
            where.append("documents_fts MATCH ?")
            args.append(fts_query(q.search))
        for name, value in q.filters.items():
            if name not in FILTERS:
                raise ValueError(f"unknown filter {name!r}")
            if value:
                where.append(f"d.{name} = ?")
                args.append(value)
        base_where = " AND ".join(where) or "1"
        limit = max(1, min(q.limit, 500))
        page_where, page_args, order = base_where, list(args), "ASC"
        if q.before is not None:
            page_where += " AND d.rowid < ?"
            page_args.append(q.before)
            order = "DESC"
        elif q.after is not None:
            page_where += " AND d.rowid > ?"
            page_args.append(q.after)
        cols = (
            "d.rowid, d.doc_id, d.url, d.hostname, d.title, d.language, d.status, d.rejected, d.duplicate_of,"
            " d.length, substr(d.text, 1, 240) AS snippet"
        )
        with self._lock:
            fetched = self._db.execute(
                f"SELECT {cols} FROM {source} WHERE {page_where} ORDER BY d.rowid {order} LIMIT ?",
                [*page_args, limit + 1],
            ).fetchall()
            total = int(self._db.execute(f"SELECT COUNT(*) FROM {source} WHERE {base_where}", args).fetchone()[0])
            more = len(fetched) > limit
            fetched = fetched[:limit]
            if order == "DESC":
                fetched.reverse()
            rows = tuple(
                Row(
                    rowid=r["rowid"], doc_id=r["doc_id"], url=r["url"], hostname=r["hostname"], title=r["title"],
                    language=r["language"], status=r["status"], rejected=r["rejected"],
                    duplicate_of=r["duplicate_of"], length=r["length"], snippet=r["snippet"] or "",
                )
                for r in fetched
            )
            if not rows:
                return Listing(rows=(), total=total, prev_before=None, next_after=None)
            first, last = rows[0].rowid, rows[-1].rowid
            has_prev = (more if order == "DESC" else self._exists(source, base_where, args, "<", first))
            has_next = (self._exists(source, base_where, args, ">", last) if order == "DESC" else more)
        return Listing(
            rows=rows, total=total, prev_before=first if has_prev else None, next_after=last if has_next else None
        )

    def _exists(self, source: str, where: str, args: list[Any], op: str, bound: int) -> bool:
        sql = f"SELECT 1 FROM {source} WHERE {where} AND d.rowid {op} ? LIMIT 1"
        return self._db.execute(sql, [*args, bound]).fetchone() is not None

    def get(self, rowid: int) -> dict[str, Any] | None:
        """A stored record with its import location, or None."""
        with self._lock:
            r = self._db.execute(
                "SELECT rowid, source_file, line, status, record FROM documents WHERE rowid = ?", (rowid,)
            ).fetchone()
        if r is None:
            return None
        rec = json.loads(r["record"])
        return {"rowid": r["rowid"], "source_file": r["source_file"], "line": r["line"], "status": r["status"],
                "record": rec}


def _run_internal(relative: Path, *, run_folder: bool) -> bool:
    """Files of a ``thresher run`` folder that hold no output records: its working state (``_work/``,
    intermediate copies of every record) and the list of stories (``stories.jsonl``)."""
    if any(part.startswith("_") for part in relative.parts[:-1]):
        return True
    return run_folder and relative == Path("stories.jsonl")


def _read_records(path: Path) -> Iterator[tuple[int, Mapping[str, Any] | None]]:
    if path.name.endswith(".parquet"):
        yield from _read_parquet(path)
        return
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
        for i, line in enumerate(fh):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                yield i, None
                continue
            yield i, rec if isinstance(rec, dict) else None


def _read_parquet(path: Path) -> Iterator[tuple[int, Mapping[str, Any] | None]]:
    try:
        import pyarrow.parquet as pq
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("reading Parquet needs pyarrow: pip install 'thresher[parquet]'") from err
    i = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=2000):
        for rec in batch.to_pylist():
            yield i, rec
            i += 1
