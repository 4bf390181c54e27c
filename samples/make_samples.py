"""Rebuild the bundled sample inputs from the WCXB development split (CC-BY-4.0, Foley 2026).

    python samples/make_samples.py [--wcxb ../shared/data/wcxb-dev] [--founding ../shared/samples/000_....txt]

Writes, next to this script:

- ``founding-example.txt``           the project's founding example (already-scraped text), copied;
- ``pages/NNNN-<type>.html.gz``      four real pages, gzipped as the benchmark ships them;
- ``sample.warc.gz``                 a warcinfo record, one request record and three HTML responses;
- ``sample.warc.wet.gz``             a warcinfo record and two WET conversion records.

The output is reproducible: record ids are derived from the URLs, dates are fixed, and gzip headers
carry no timestamp. Needs ``warcio`` (in the ``test`` extra).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import shutil
import uuid
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_WCXB = REPO.parent / "shared" / "data" / "wcxb-dev"
DEFAULT_FOUNDING = REPO.parent / "shared" / "samples" / "000_86b9fa81df510c64.txt"

PAGES = {"2825": "article", "0536": "forum", "0610": "product", "0668": "documentation"}
"""Bundled as single files."""
WARC_PAGES = ("4079", "0555", "3052")
"""Packed as HTTP responses into sample.warc.gz (an article, a forum thread, a product page)."""
WET_PAGES = ("0520", "4104")
"""Their ground-truth main text, wrapped in boilerplate lines, as WET conversion records."""

CRAWL_DATE = "2025-06-01T00:00:00Z"
"""A fixed WARC-Date (WCXB does not record when each page was fetched)."""
NAMESPACE = uuid.UUID("6f1d3a52-2b7e-4a8e-9d0c-7c1f2b8e4a10")

HEADER_LINES = ["Skip to main content", "Home | News | Forums | Shop | Contact", "Sign in  ·  Register"]
FOOTER_LINES = [
    "Share this: Facebook Twitter LinkedIn Email",
    "Subscribe to our newsletter",
    "Privacy Policy | Terms of Use | Cookie settings",
    "© 2025 All rights reserved.",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wcxb", type=Path, default=DEFAULT_WCXB, help="the WCXB dev split folder")
    parser.add_argument("--founding", type=Path, default=DEFAULT_FOUNDING, help="the founding example")
    args = parser.parse_args()

    shutil.copyfile(args.founding, HERE / "founding-example.txt")
    pages_dir = HERE / "pages"
    pages_dir.mkdir(exist_ok=True)
    for fid, kind in PAGES.items():
        shutil.copyfile(args.wcxb / "html" / f"{fid}.html.gz", pages_dir / f"{fid}-{kind}.html.gz")
    (HERE / "sample.warc.gz").write_bytes(build_warc(args.wcxb))
    (HERE / "sample.warc.wet.gz").write_bytes(build_wet(args.wcxb))


def ground_truth(wcxb: Path, fid: str) -> dict[str, object]:
    with open(wcxb / "ground-truth" / f"{fid}.json", encoding="utf-8") as handle:
        record: dict[str, object] = json.load(handle)
    return record


def html_bytes(wcxb: Path, fid: str) -> bytes:
    with gzip.open(wcxb / "html" / f"{fid}.html.gz", "rb") as handle:
        return handle.read()


def warc_headers(url: str, kind: str) -> dict[str, str]:
    return {"WARC-Record-ID": f"<urn:uuid:{uuid.uuid5(NAMESPACE, kind + ' ' + url)}>", "WARC-Date": CRAWL_DATE}


def build_warc(wcxb: Path) -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    info = writer.create_warcinfo_record(
        "sample.warc.gz",
        {"software": "thresher samples/make_samples.py", "description": "WCXB dev pages (CC-BY-4.0, Foley 2026)"},
    )
    info.rec_headers.replace_header("WARC-Record-ID", warc_headers("sample.warc.gz", "warcinfo")["WARC-Record-ID"])
    info.rec_headers.replace_header("WARC-Date", CRAWL_DATE)
    writer.write_record(info)
    for number, fid in enumerate(WARC_PAGES):
        url = str(ground_truth(wcxb, fid)["url"])
        if number == 0:
            host = url.split("/")[2]
            path = "/" + url.split("/", 3)[3]
            request = StatusAndHeaders(
                f"GET {path} HTTP/1.1", [("Host", host), ("User-Agent", "thresher-samples")], is_http_request=True
            )
            writer.write_record(writer.create_warc_record(
                url, "request", payload=io.BytesIO(b""), http_headers=request,
                warc_headers_dict=warc_headers(url, "request"),
            ))
        body = html_bytes(wcxb, fid)
        http = StatusAndHeaders(
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
            protocol="HTTP/1.1",
        )
        writer.write_record(writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=http,
            warc_headers_dict=warc_headers(url, "response"),
        ))
    return buf.getvalue()


def build_wet(wcxb: Path) -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    info = writer.create_warcinfo_record(
        "sample.warc.wet.gz",
        {"software": "thresher samples/make_samples.py", "description": "WCXB dev texts (CC-BY-4.0, Foley 2026)"},
    )
    info.rec_headers.replace_header("WARC-Record-ID", warc_headers("sample.warc.wet.gz", "warcinfo")["WARC-Record-ID"])
    info.rec_headers.replace_header("WARC-Date", CRAWL_DATE)
    writer.write_record(info)
    for fid in WET_PAGES:
        record = ground_truth(wcxb, fid)
        truth = record["ground_truth"]
        assert isinstance(truth, dict)
        url = str(record["url"])
        lines = [*HEADER_LINES, str(truth.get("title") or ""), str(truth["main_content"]).strip(), *FOOTER_LINES]
        text = "\n".join(line for line in lines if line).encode("utf-8")
        writer.write_record(writer.create_warc_record(
            url, "conversion", payload=io.BytesIO(text), length=len(text), warc_content_type="text/plain",
            warc_headers_dict=warc_headers(url, "conversion"),
        ))
    return buf.getvalue()


if __name__ == "__main__":
    main()
