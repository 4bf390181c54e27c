#!/usr/bin/env python3
"""Text mode against the line and document filters of the web-corpus pipelines, same text, same run.

    python benchmarks/text_mode.py [--limit N] [--methods none,c4_lines,thresher_rules,thresher_oof]
    python benchmarks/text_mode.py --speed [--runs 5] [--against REV [--old-so PATH]]
    python benchmarks/text_mode.py --same REV [--limit N]

The text is WET-style: all visible text of each WCXB dev page (resiliparse, main_content=False; see
training/wet.py). Three sets:

* ``wet``: that text as it is, scored against the ground-truth main text (word P/R/F1, mean per page).
* ``polluted``: the same text with pollution of the *held-out* style planted in it (phrasings,
  languages and layouts the model never saw); reports the share of planted lines that survive.
* ``clean``: the ground-truth text fed back in; reports word recall (clean text must come back whole).

Methods, side by side:

* ``none``: keep everything.
* ``c4_lines``: C4's line rules (datatrove's C4QualityFilter with its document-level drops switched
  off: terminal punctuation, 3+ words, no "javascript", no policy phrases, citations removed).
* ``c4_doc`` / ``gopher_doc`` / ``fineweb_doc``: document filters — a page is kept whole or dropped
  (dropped pages score 0). C4 is datatrove's; Gopher and FineWeb are whitespace-tokenised
  reimplementations of datatrove's default thresholds (datatrove's own need spaCy for words).
* ``thresher_rules``: the text rules alone.
* ``thresher_oof``: rules + learned model, each page scored by the fold model that did not see its
  domain (written by training/train_text_model.py; the shipped model is never scored on its own
  training pages).

Speed is CPU time of this process (time.process_time, so a busy machine does not count against it):
``docs/s`` on the ``wet`` set, ``art/s`` on the clean article texts scaled to 4,400-character
articles (characters per CPU second / 4,400).

``--speed`` measures only speed, on one core, for typical article-length text: the WCXB dev article
pages whose text is 3,000-6,000 characters (about 4,400 on average), as clean text and as WET-style
full text. Per set it reports documents per CPU second for ``thresher.extract`` (the whole pipeline,
language identification included) and for each stage, plus C4's line filter (datatrove) on the same
texts in the same process as a peer, so the ratio holds on a busy machine. Each figure is the median
of ``--runs`` runs over all documents. With ``--against REV`` it instead times ``thresher.extract`` of
the text-path files at git revision ``REV`` (see ``--same``; with the compiled extension, so its tree
walk runs in C as it did; ``--old-so`` gives it the extension built from ``REV``'s C sources when those
changed) and of the working tree on the same texts, one document after the other in the same process
(each side first on every other document), so the ratio holds on a busy machine.

``--same REV`` checks that a faster text path says exactly the same: the text-path files
(:data:`SAME_FILES`) as they were at git revision ``REV`` (in a temporary copy of the package, without
the compiled extension, so the old side also runs the pure-Python/numpy code) against the working
tree, on the WET-style text, the held-out polluted text and the clean text of every WCXB dev page:
blocks with every feature, rule decisions, decisions with their scores, kept text, title, author and
language must be equal. Language identification (also used by the HTML path) is compared on the text
the HTML path extracts from each dev page too, and on short prefixes of every text: the same answers,
and probabilities within :data:`PROB_TOLERANCE` (pairs differing at all are counted too).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import importlib
import json
import pickle
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))

from wet import CACHE, Doc, fold_of, load_corpus, prf  # noqa: E402

from revision import package_at  # noqa: E402
from thresher.classify.text_model import TextModel  # noqa: E402
from thresher.classify.text_rules import rule_decisions  # noqa: E402
from thresher.deadline import Deadline  # noqa: E402
from thresher.options import Options  # noqa: E402
from thresher.segment.text import segment_text  # noqa: E402

Method = Callable[[Doc], tuple[str, list[tuple[str, bool]]]]
"""A method returns the kept text and, per line of the input it judged, (line, kept)."""
_OPTS = Options()


def _norm(s: str) -> str:
    return " ".join(s.split())


def m_none(doc: Doc) -> tuple[str, list[tuple[str, bool]]]:
    return doc.text, [(line, True) for line in doc.text.splitlines()]


def _datatrove_doc(text: str) -> object:
    from datatrove.data import Document

    return Document(text=text, id="x")


def make_c4(line_mode: bool) -> Method:
    from datatrove.pipeline.filters import C4QualityFilter

    if line_mode:
        filt = C4QualityFilter(min_num_sentences=-1, filter_lorem_ipsum=False, filter_curly_bracket=False)
    else:
        filt = C4QualityFilter(min_num_sentences=-1)  # sentence count needs nltk's punkt; lines only

    def run(doc: Doc) -> tuple[str, list[tuple[str, bool]]]:
        d = _datatrove_doc(doc.text)
        res = filt.filter(d)  # type: ignore[arg-type]
        ok = res is True
        if not ok:
            return "", [(line, False) for line in doc.text.splitlines()]
        kept = {_norm(x) for x in d.text.splitlines()}  # type: ignore[attr-defined]
        if not line_mode:
            return doc.text, [(line, True) for line in doc.text.splitlines()]
        return d.text, [(line, _norm(line) in kept) for line in doc.text.splitlines()]  # type: ignore[attr-defined]

    return run


_GOPHER_STOP = {"the", "be", "to", "of", "and", "that", "have", "with"}


def gopher_keep(text: str) -> bool:
    """Gopher quality rules (Rae et al. 2021) at datatrove's default thresholds."""
    words = text.split()
    n = len(words)
    if not 50 <= n <= 100_000:
        return False
    mean_len = sum(map(len, words)) / n
    if not 3 <= mean_len <= 10:
        return False
    if (text.count("#") + text.count("...") + text.count("…")) / n > 0.1:
        return False
    lines = [x for x in text.splitlines() if x.strip()]
    if lines and sum(x.lstrip().startswith(("•", "-", "*")) for x in lines) / len(lines) > 0.9:
        return False
    if lines and sum(x.rstrip().endswith(("...", "…")) for x in lines) / len(lines) > 0.3:
        return False
    if sum(any(c.isalpha() for c in w) for w in words) / n < 0.8:
        return False
    return len(_GOPHER_STOP & {w.lower() for w in words}) >= 2


def fineweb_keep(text: str) -> bool:
    """FineWeb's quality filter (datatrove FineWebQualityFilter defaults)."""
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    if not lines:
        return False
    if sum(x.endswith((".", "!", "?", '"', "'")) for x in lines) / len(lines) < 0.12:
        return False
    if sum(len(x) <= 30 for x in lines) / len(lines) > 0.67:
        return False
    seen: set[str] = set()
    dup_chars = 0
    for x in lines:
        if x in seen:
            dup_chars += len(x)
        seen.add(x)
    if dup_chars / max(1, len(text.replace("\n", ""))) > 0.01:
        return False
    words = text.split()
    return not (words and text.count("\n") / len(words) > 0.3)


def make_doc_filter(keep: Callable[[str], bool]) -> Method:
    def run(doc: Doc) -> tuple[str, list[tuple[str, bool]]]:
        ok = keep(doc.text)
        return (doc.text if ok else ""), [(line, ok) for line in doc.text.splitlines()]

    return run


def _blocks_out(doc: Doc, decide: Callable[[list], list]) -> tuple[str, list[tuple[str, bool]]]:
    blocks = segment_text(doc.text, _OPTS, Deadline(None))
    decisions = decide(blocks)
    kept = [b.text for b, d in zip(blocks, decisions, strict=True) if d.kept]
    return "\n\n".join(kept), [(b.text, d.kept) for b, d in zip(blocks, decisions, strict=True)]


def m_rules(doc: Doc) -> tuple[str, list[tuple[str, bool]]]:
    return _blocks_out(doc, lambda blocks: rule_decisions(blocks, _OPTS, Deadline(None)))


def make_oof(folds_dir: Path = CACHE / "folds") -> Method:
    models = []
    for k in range(5):
        path = folds_dir / f"fold{k}.json"
        if not path.exists():
            raise SystemExit(f"{path} missing: run python training/train_text_model.py first")
        models.append(TextModel(json.loads(path.read_text(encoding="utf-8"))))

    def run(doc: Doc) -> tuple[str, list[tuple[str, bool]]]:
        model = models[fold_of(doc.domain)]
        return _blocks_out(doc, lambda blocks: model.decide(
            blocks, rule_decisions(blocks, _OPTS, Deadline(None)), _OPTS))

    return run


def speed(runs: int) -> int:
    """Documents per CPU second of the text path, by stage, on article-length text (see --speed)."""
    import statistics

    from wet import load_pages

    from thresher import extract
    from thresher.assemble.document import assemble
    from thresher.classify.text_rules import classify_text
    from thresher.metadata.language import identify
    from thresher.metadata.text import text_metadata
    from thresher.model import Page

    pages = [p for p in load_pages() if p["type"] == "article"]
    opts = Options(input_format="text")
    c4 = None
    with contextlib.suppress(ImportError):  # datatrove is in the [bench] extra
        c4 = make_c4(True)
    print(f"{'set':<6} {'docs':>5} {'chars':>6} {'extract':>8} {'segment':>8} {'classify':>8} {'metadata':>8} "
          f"{'assemble':>8} {'language':>8} {'no lang':>8} {'c4 lines':>8}   (documents per CPU second, median "
          f"of {runs} runs)")
    for name, key in (("clean", "truth"), ("wet", "full")):
        texts = [p[key] for p in pages if 3000 <= len(p[key]) <= 6000]
        stages: dict[str, list[float]] = defaultdict(list)
        for _ in range(runs + 1):  # the first run warms up (vocabularies, models, tables)
            t = dict.fromkeys(("extract", "segment", "classify", "metadata", "assemble", "language", "c4"), 0.0)
            for text in texts:
                t0 = time.process_time()
                extract(text, options=opts)
                t1 = time.process_time()
                blocks = segment_text(text, opts, Deadline(None))
                t2 = time.process_time()
                decisions = classify_text(blocks, opts, Deadline(None))
                t3 = time.process_time()
                meta = text_metadata(blocks, decisions, None, opts)
                t4 = time.process_time()
                doc = assemble(blocks, decisions, meta, Page(data=text), "text", opts)
                t5 = time.process_time()
                identify(doc.text)
                t6 = time.process_time()
                if c4 is not None:
                    c4(Doc(id="", domain="", type="", variant="", text=text, truth=""))
                t7 = time.process_time()
                for stage, dt in zip(t, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5, t7 - t6),
                                     strict=True):
                    t[stage] += dt
            for stage, total in t.items():
                stages[stage].append(total)
        rate = {k: len(texts) / max(1e-9, statistics.median(v[1:])) for k, v in stages.items()}
        no_lang = len(texts) / max(1e-9, statistics.median(
            [sum(stages[k][r] for k in ("segment", "classify", "metadata", "assemble")) - stages["language"][r]
             for r in range(1, runs + 1)]))
        mean_chars = sum(map(len, texts)) / max(1, len(texts))
        print(f"{name:<6} {len(texts):>5} {mean_chars:>6.0f} {rate['extract']:>8.0f} {rate['segment']:>8.0f} "
              f"{rate['classify']:>8.0f} {rate['metadata']:>8.0f} {rate['assemble']:>8.0f} {rate['language']:>8.0f} "
              f"{no_lang:>8.0f} {rate['c4'] if c4 is not None else float('nan'):>8.0f}", flush=True)
    print("\nextract: thresher.extract(text) end to end. segment/classify/metadata/assemble: each stage alone "
          "(assemble includes language identification of the kept text; 'language' is that call alone; "
          "'no lang': the four stages without it). c4 lines: datatrove's C4 line filter, same texts.")
    return 0


SAME_FILES = (
    "segment/text.py", "classify/text_rules.py", "classify/text_model.py", "classify/trees.py", "metadata/text.py",
    "metadata/language.py", "assemble/document.py",
)
"""The text path's files (paths under src/thresher) that ``--same`` takes from ``--same REV``."""


def old_package(rev: str, workdir: Path, *, compiled: bool = False, so: Path | None = None) -> Any:
    """The working tree's package with :data:`SAME_FILES` from ``rev``, importable as ``thresher_rev``
    (without the compiled extension the old side runs its pure-Python/numpy code). ``so``: the
    compiled extension the old side loads instead of the working tree's (one built from ``rev``'s C
    sources, when those changed: the old Python code may need functions the new build lacks)."""
    if so is None:
        return package_at(rev, workdir, SAME_FILES, compiled=compiled)
    import shutil

    staged = workdir / "staged"  # the working tree's package with the other build in it
    shutil.copytree(ROOT / "src" / "thresher", staged / "src" / "thresher",
                    ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyd"))
    # under the extension's own file name, whatever ``so`` is called (another name is not imported)
    from importlib.machinery import EXTENSION_SUFFIXES

    shutil.copy(so, staged / "src" / "thresher" / f"_speedups{EXTENSION_SUFFIXES[0]}")
    loader = staged / "src" / "thresher" / "compiled.py"  # load it as thresher_rev's own, not thresher's
    loader.write_text(loader.read_text(encoding="utf-8").replace('"thresher._speedups"', '"thresher_rev._speedups"'),
                      encoding="utf-8")
    import revision

    original = revision.ROOT
    revision.ROOT = staged
    try:  # revision.package_at copies from ROOT/src and asks git at ROOT: git answers from the real tree
        (staged / ".git").symlink_to(ROOT / ".git")
        pkg = package_at(rev, workdir, SAME_FILES, compiled=True)
    finally:
        revision.ROOT = original
    if importlib.import_module(f"{pkg.__name__}.compiled").extension() is None:
        raise SystemExit(f"{so} could not be imported as the old side's extension")
    return pkg


def _trace_of(pkg: Any, text: str, opts: Any) -> dict[str, Any]:
    """Everything the text path decides about one text."""
    try:
        tr = pkg.extract_trace(text, options=opts)
    except pkg.ThresherError as err:
        return {"error": err.reason}
    rules_mod = importlib.import_module(f"{pkg.__name__}.classify.text_rules")
    deadline = importlib.import_module(f"{pkg.__name__}.deadline").Deadline(None)
    return {
        "blocks": [(b.index, b.text, b.kind, tuple(b.features.items())) for b in tr.blocks],
        "rules": [(d.label, d.reason) for d in rules_mod.rule_decisions(list(tr.blocks), opts, deadline)],
        "decisions": [(d.label, d.reason, d.score) for d in tr.decisions],
        "text": tr.document.text,
        "metadata": (tr.metadata.title, tr.metadata.author, tr.document.language),
    }


def _html_texts(limit: int | None) -> list[tuple[str, str]]:
    """The text the HTML path extracts from each WCXB dev page (cached: the HTML path is not under test)."""
    import thresher

    cache = CACHE / "html_texts.pkl"
    if cache.exists():
        out: list[tuple[str, str]] = pickle.loads(cache.read_bytes())
    else:
        from wet import DATA

        out = []
        for f in sorted((DATA / "html").glob("*.html.gz")):
            html = gzip.decompress(f.read_bytes()).decode("utf-8", errors="replace")
            try:
                out.append((f.name.split(".")[0], thresher.extract(html).text))
            except thresher.ThresherError:
                continue
        cache.write_bytes(pickle.dumps(out))
    return out[:limit] if limit else out


PROB_TOLERANCE = 1e-4
"""How far ``--same`` lets a probability of language identification move: the sums behind it went
from float32 (py3langid's) to float64, which moves probabilities by up to ~3e-5 on the dev texts;
the answers (the language, and whether it is sure enough) must not move at all."""


def same(rev: str, limit: int | None) -> int:
    """Old (``rev``) and new text path side by side on every dev text (see ``--same``)."""
    import thresher
    from thresher.metadata import language

    with tempfile.TemporaryDirectory() as tmp:
        old = old_package(rev, Path(tmp))
        old_language = importlib.import_module("thresher_rev.metadata.language")
        docs = load_corpus("heldout", ("wet", "polluted", "clean"))
        if limit:
            ids = set(sorted({d.id for d in docs})[:limit])
            docs = [d for d in docs if d.id in ids]
        diff: Counter[str] = Counter()
        n = 0
        for doc in docs:
            n += 1
            a = _trace_of(old, doc.text, old.Options(input_format="text"))
            b = _trace_of(thresher, doc.text, Options(input_format="text"))
            for key in ("error", "blocks", "rules", "decisions", "text", "metadata"):
                if a.get(key) != b.get(key):
                    diff[f"{doc.variant}:{key}"] += 1
                    if diff[f"{doc.variant}:{key}"] <= 5:
                        print(f"{doc.id} {doc.variant}: {key} differ")
        print(f"text path: {n} documents ({len(docs) // 3} pages x wet/polluted/clean); differing: "
              f"{dict(diff) or 'none'}")
        samples = [t for _, t in _html_texts(limit)]
        n_html = len(samples)
        for doc in docs:
            samples += [doc.text[:k] for k in (25, 60, 200, 1000)]
        lang_diff = prob_diff = exact_diff = 0
        largest = 0.0
        old_scanner, new_scanner = old_language._scanner(), language._scanner()
        for text in samples:
            if old_language.identify(text) != language.identify(text):
                lang_diff += 1
            sample = " ".join(text.split())[: language.SAMPLE_CHARS]
            if len(sample) >= language.MIN_CHARS:
                (a_lang, a_prob), (b_lang, b_prob) = old_scanner.classify(sample), new_scanner.classify(sample)
                exact_diff += (a_lang, a_prob) != (b_lang, b_prob)
                prob_diff += a_lang != b_lang or abs(a_prob - b_prob) > PROB_TOLERANCE
                largest = max(largest, abs(a_prob - b_prob))
        print(f"language: {len(samples)} texts ({n_html} HTML-path texts of dev pages, the rest prefixes of the "
              f"texts above); differing answers: {lang_diff}; (language, probability) pairs differing: {exact_diff}, "
              f"by more than {PROB_TOLERANCE:g} or in the language: {prob_diff} (largest difference {largest:.2g})")
        return 1 if diff or lang_diff or prob_diff else 0


def speed_against(rev: str, runs: int, so: Path | None = None) -> int:
    """``thresher.extract`` docs per CPU second, revision ``rev`` against the working tree (see --speed)."""
    import statistics

    from wet import load_pages

    import thresher

    pages = [p for p in load_pages() if p["type"] == "article"]
    with tempfile.TemporaryDirectory() as tmp:
        old = old_package(rev, Path(tmp), compiled=True, so=so)
        sides = {rev: (old, old.Options(input_format="text")), "working tree": (thresher, Options(input_format="text"))}
        order = list(sides)
        print(f"{'set':<6} {'docs':>5} {'chars':>6} " + " ".join(f"{name[:14]:>14}" for name in sides)
              + f" {'ratio':>6}   (thresher.extract, documents per CPU second, median of {runs} runs)")
        for name, key in (("clean", "truth"), ("wet", "full")):
            texts = [p[key] for p in pages if 3000 <= len(p[key]) <= 6000]
            spent: dict[str, list[float]] = defaultdict(list)
            for run in range(runs + 1):  # the first run warms up
                t = dict.fromkeys(sides, 0.0)
                for k, text in enumerate(texts):
                    # each side first on every other text: the second finds the text's model rows
                    # (language identification) and lines in the caches, which favours it
                    for side in (order if k % 2 == 0 else order[::-1]):
                        pkg, opts = sides[side]
                        t0 = time.process_time()
                        pkg.extract(text, options=opts)
                        t[side] += time.process_time() - t0
                if run:
                    for side in sides:
                        spent[side].append(t[side])
            rate = {side: len(texts) / max(1e-9, statistics.median(v)) for side, v in spent.items()}
            mean_chars = sum(map(len, texts)) / max(1, len(texts))
            print(f"{name:<6} {len(texts):>5} {mean_chars:>6.0f} " + " ".join(f"{rate[s]:>14.0f}" for s in sides)
                  + f" {rate['working tree'] / rate[rev]:>6.2f}", flush=True)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--speed", action="store_true", help="speed only: documents per CPU second by stage")
    ap.add_argument("--same", metavar="REV", help="compare the text path with git revision REV (see above)")
    ap.add_argument("--against", metavar="REV", help="with --speed: time git revision REV and the working tree")
    ap.add_argument("--old-so", type=Path, metavar="PATH",
                    help="with --against: the compiled extension REV's side loads (built from REV's C sources)")
    ap.add_argument("--runs", type=int, default=5, help="runs for --speed (the median is reported)")
    ap.add_argument("--limit", type=int, help="pages (for a quick run)")
    ap.add_argument("--folds-dir", type=Path, default=CACHE / "folds",
                    help="the fold models of thresher_oof (training/train_text_model.py --folds-dir)")
    ap.add_argument("--methods", default="none,c4_lines,c4_doc,gopher_doc,fineweb_doc,thresher_rules,thresher_oof")
    ap.add_argument("--sets", default="wet,polluted,clean", help="which of the three sets to run")
    a = ap.parse_args()
    if a.speed:
        return speed_against(a.against, a.runs, a.old_so) if a.against else speed(a.runs)
    if a.same:
        return same(a.same, a.limit)
    docs = load_corpus("heldout", tuple(a.sets.split(",")))
    if a.limit:
        ids = sorted({d.id for d in docs})[: a.limit]
        docs = [d for d in docs if d.id in set(ids)]
    factories: dict[str, Callable[[], Method]] = {
        "none": lambda: m_none,
        "c4_lines": lambda: make_c4(True),
        "c4_doc": lambda: make_c4(False),
        "gopher_doc": lambda: make_doc_filter(gopher_keep),
        "fineweb_doc": lambda: make_doc_filter(fineweb_keep),
        "thresher_rules": lambda: m_rules,
        "thresher_oof": lambda: make_oof(a.folds_dir),
    }
    names = a.methods.split(",")
    types = sorted({d.type for d in docs})
    print(f"{len({d.id for d in docs})} pages; sets: {a.sets} (polluted: held-out pollution)\n")
    header = f"{'method':<15} {'wet F1':>7} {'P':>6} {'R':>6} {'poll F1':>7} {'planted':>8} {'clean R':>7} " \
             f"{'cl>=.99':>7} {'artR':>6} {'docs/s':>7} {'art/s':>7}  " + " ".join(f"{t[:7]:>7}" for t in types)
    print(header)
    print("-" * len(header))
    for name in names:
        method = factories[name]()
        scores: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
        per_type: dict[str, list[float]] = defaultdict(list)
        planted_total = planted_kept = 0
        wet_time = art_time = 0.0
        art_chars = 0
        n_wet = 0
        for doc in docs:
            t0 = time.process_time()
            text, judged = method(doc)
            dt = time.process_time() - t0
            s = prf(text, doc.truth)
            scores[doc.variant].append(s)
            if doc.variant == "clean" and doc.type == "article":
                scores["clean_article"].append(s)
            if doc.variant == "clean" and doc.type == "article":
                art_time += dt
                art_chars += len(doc.text)
            if doc.variant == "wet":
                wet_time += dt
                n_wet += 1
                per_type[doc.type].append(s[2])
            if doc.planted:
                planted = {_norm(x) for x in doc.planted}
                for line, kept in judged:
                    if _norm(line) in planted:
                        planted_total += 1
                        planted_kept += int(kept)

        def mean(variant: str, j: int, scores: dict[str, list[tuple[float, float, float]]] = scores) -> float:
            v = scores[variant]
            return sum(x[j] for x in v) / max(1, len(v))

        clean_ok = sum(x[1] >= 0.99 for x in scores["clean"]) / max(1, len(scores["clean"]))
        print(f"{name:<15} {mean('wet', 2):7.3f} {mean('wet', 0):6.3f} {mean('wet', 1):6.3f} {mean('polluted', 2):7.3f} "
              f"{planted_kept / max(1, planted_total):8.3f} {mean('clean', 1):7.3f} {clean_ok:7.1%} "
              f"{mean('clean_article', 1):6.3f} "
              f"{n_wet / max(1e-9, wet_time):7.0f} {art_chars / 4400 / max(1e-9, art_time):7.0f}  "
              + " ".join(f"{sum(per_type[t]) / max(1, len(per_type[t])):7.3f}" for t in types), flush=True)
    print("\nwet F1/P/R: mean per page on WET-style text; per-type columns: wet F1. planted: share of planted"
          " (held-out) pollution lines kept. clean R: mean word recall on ground-truth text fed back in;"
          " cl>=.99: share of clean pages with recall >= 0.99; artR: mean recall on clean articles.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
