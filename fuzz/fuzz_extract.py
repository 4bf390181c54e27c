"""Coverage-guided fuzzing of the HTML and text paths with atheris (libFuzzer for Python).

    pip install atheris            # or: pip install -e .[fuzz]
    python fuzz/fuzz_extract.py -max_total_time=60 fuzz/corpus

The first byte of each input picks the path: the whole pipeline on bytes (``extract_result``, where
an ``internal_error`` record counts as a crash), or the stages one by one on decoded text: parse →
segment → metadata → classify for HTML, segment → classify → metadata for text. Anything raised
other than ``ThresherError`` is a crash; libFuzzer writes the input to ``crash-*`` and stops.
New inputs libFuzzer finds go into the corpus directory; keep only small, interesting ones.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["thresher"]):
    from thresher import Failure, Options, ThresherError, extract_result
    from thresher.classify import classify_html, classify_text
    from thresher.deadline import Deadline
    from thresher.metadata.html import html_metadata
    from thresher.metadata.text import text_metadata
    from thresher.parse.html import parse_html
    from thresher.read.encoding import decode
    from thresher.read.sniff import sniff
    from thresher.segment.html import segment_html
    from thresher.segment.text import segment_text

OPTS = Options(time_limit=None)  # libFuzzer's -timeout catches hangs; no SIGALRM under the fuzzer


def html_path(text: str) -> None:
    tree = parse_html(text, OPTS)
    blocks = segment_html(tree, OPTS, Deadline(None))
    metadata = html_metadata(tree, "http://example.com/page", OPTS)
    decisions = classify_html(blocks, metadata, OPTS, Deadline(None))
    assert len(decisions) == len(blocks)


def text_path(text: str) -> None:
    blocks = segment_text(text, OPTS, Deadline(None))
    decisions = classify_text(blocks, OPTS, Deadline(None))
    assert len(decisions) == len(blocks)
    text_metadata(blocks, decisions, None, OPTS)


def test_one_input(data: bytes) -> None:
    if not data:
        return
    mode, payload = data[0] % 4, data[1:]
    if mode == 0:
        result = extract_result(payload, options=OPTS)
        if isinstance(result, Failure) and result.reason == "internal_error":
            raise RuntimeError(result.message)
        return
    try:
        if mode == 1:
            sniff(payload)
            text = decode(payload)
        else:
            text = payload.decode("utf-8", errors="surrogatepass" if mode == 3 else "replace")
    except (ThresherError, UnicodeDecodeError):
        return
    try:
        if mode in (1, 3) or text.lstrip().startswith("<"):
            html_path(text)
        else:
            text_path(text)
    except ThresherError:
        pass


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
