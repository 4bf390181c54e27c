"""A small synthetic corpus for run tests (written for Thresher, Apache-2.0): WARC shards of article
pages from three sites, with planted exact and near duplicates and a site-wide boilerplate line, plus
a JSONL shard of text records (English, German, a broken line).

Shared by the engine, CLI, integration and stories tests (``from thresher.testing import corpus``).
"""

from __future__ import annotations

import gzip
import json
import random
import uuid
from pathlib import Path

SITES = ("alpha.example", "beta.example", "gamma.example")
SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "pe", "da", "gu", "ber", "tal", "ron", "mes",
             "fi", "zu", "wen", "dor", "ial", "sen", "pra", "kel", "mon")
BOILERPLATE = "Reporting for this story was supported by the {site} community newsroom fund."
ENGLISH = ("The council approved the new budget on Tuesday after a long debate about schools, roads and "
           "the library. Residents who spoke at the meeting asked for more money for public transport, "
           "and the mayor promised a review of bus routes before the end of the year.")
GERMAN = ("Der Gemeinderat hat am Dienstag nach einer langen Debatte über Schulen, Straßen und die "
          "Bibliothek den neuen Haushalt beschlossen. Die Bürger forderten mehr Geld für den Nahverkehr, "
          "und der Bürgermeister versprach eine Überprüfung der Buslinien bis zum Jahresende.")


def _words(rng: random.Random, count: int) -> list[str]:
    return ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))) for _ in range(count)]


def _article(rng: random.Random) -> tuple[str, list[str]]:
    title = " ".join(_words(rng, 5)).capitalize()
    paragraphs = []
    for _ in range(6):
        sentences = [" ".join(_words(rng, rng.randint(8, 14))).capitalize() + "." for _ in range(rng.randint(3, 5))]
        paragraphs.append(" ".join(sentences))
    return title, paragraphs


def _html(title: str, paragraphs: list[str], site: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body>"
        f"<nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav><main><article><h1>{title}</h1>{body}"
        f"<p>{BOILERPLATE.format(site=site)}</p></article></main><footer>{site}</footer></body></html>"
    ).encode()


def warc_record(url: str, body: bytes) -> bytes:
    """One gzipped WARC/1.0 response record (its own gzip member), with an id derived from the URL."""
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}>\r\n"
        "WARC-Date: 2026-01-01T00:00:00Z\r\n"
        f"WARC-Target-URI: {url}\r\nContent-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    return gzip.compress(head + http + b"\r\n\r\n", mtime=0)


def write_warc(path: Path, pages: list[tuple[str, bytes]]) -> None:
    path.write_bytes(b"".join(warc_record(url, body) for url, body in pages))


def make_corpus(root: Path, *, shards: int = 12, pages: int = 4, seed: int = 7) -> dict[str, object]:
    """Write the corpus under ``root``; returns what was planted (urls of the copies and originals)."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    articles: list[tuple[str, str, list[str]]] = []
    layout: list[list[tuple[str, bytes]]] = []
    for s in range(shards):
        shard_pages = []
        for p in range(pages):
            site = SITES[(s * pages + p) % len(SITES)]
            title, paragraphs = _article(rng)
            url = f"https://{site}/news/{s}-{p}"
            articles.append((url, title, paragraphs))
            shard_pages.append((url, _html(title, paragraphs, site)))
        layout.append(shard_pages)
    planted: dict[str, object] = {}
    if shards >= 6:
        # an exact copy (another URL, same site), a near copy (one paragraph rewritten), a truncated copy
        url, title, paragraphs = articles[1]
        site = url.split("/")[2]
        layout[5].append((f"https://{site}/mirror/copy", _html(title, paragraphs, site)))
        url2, title2, paragraphs2 = articles[6]
        site2 = url2.split("/")[2]
        first, _, rest = paragraphs2[3].partition(". ")
        edited = [*paragraphs2[:3], first + ". " + " ".join(_words(rng, 4)) + " " + rest, *paragraphs2[4:]]
        layout[4].append((f"https://{site2}/mirror/edited", _html(title2, edited, site2)))
        url3, title3, paragraphs3 = articles[9]
        site3 = url3.split("/")[2]
        layout[0].append((f"https://{site3}/mirror/longer", _html(title3, [*paragraphs3, articles[10][2][0].split(". ")[0] + "."], site3)))
        planted = {"exact": (url, f"https://{site}/mirror/copy"), "near": (url2, f"https://{site2}/mirror/edited"),
                   "longer": (url3, f"https://{site3}/mirror/longer")}
    for s, shard_pages in enumerate(layout):
        write_warc(root / f"crawl-{s:03d}.warc.gz", shard_pages)
    records = [
        {"id": "en-1", "url": "https://delta.example/en", "text": ENGLISH},
        {"id": "de-1", "url": "https://delta.example/de", "text": GERMAN},
    ]
    with open(root / "texts.jsonl", "w", encoding="utf-8") as handle:
        for rec in records:
            handle.write(json.dumps(rec, ensure_ascii=False) + "\n")
        handle.write("{not json\n")
    return planted

