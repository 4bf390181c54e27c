"""WET-style text corpus from WCXB dev, for training and benchmarking the text-mode classifier.

Each WCXB page gives three kinds of documents:

* ``wet``: all visible text of the page (resiliparse ``extract_plain_text(main_content=False)``), what
  a Common Crawl WET record holds; blocks are labelled by aligning them to the ground-truth text.
* ``polluted``: the WET text with pollution planted in it (section lists, tickers, teaser sentences,
  inline promos, HTML residue, contact lines, cookie notices); planted lines are never main.
* ``clean``: the ground-truth main text alone, every block main — clean text must come back whole.

Pollution comes in two disjoint *styles*: ``train`` (what the model learns from) and ``heldout``
(other phrasings, other languages, other layouts — what the benchmark plants), so the benchmark
measures the kind of pollution, not the strings the model has seen.

    from wet import load_corpus
    docs = load_corpus(style="train")     # cached on /tmp
"""

from __future__ import annotations

import gzip
import json
import pickle
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from wcxb_folds import fold_of, page_domain_and_type
from wcxb_metric import prf, tokens

__all__ = ["CACHE", "DATA", "Doc", "align", "fold_of", "load_corpus", "page_domain_and_type", "prf", "tokens"]

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "wcxb-dev"
CACHE = Path("/tmp/thresher_text_cache")
_SENT_RE = re.compile(r"(?<=[.!?。！？])\s+")


@dataclass
class Doc:
    """One text document with the reference text and the lines planted as pollution."""

    id: str
    domain: str
    type: str
    variant: str  # wet | polluted | clean
    text: str
    truth: str
    planted: list[str] = field(default_factory=list)



def align(block_texts: list[str], truth: str, slack: int = 40) -> list[int]:
    """1 for blocks whose words are (nearly all) in the ground truth, in sequence or as a bag
    (the rule of training/train_html_model.py), with one change for short blocks (under 4 words):
    their word sequence must occur in the part of the ground truth between the long blocks matched
    before and after them (give or take ``slack`` characters) — otherwise every "Home" or "Share"
    line of a page whose text happens to contain the word would count as main content."""
    joined = " " + " ".join(tokens(truth)) + " "
    bag = Counter(tokens(truth))
    labels: list[int] = []
    anchors: list[tuple[int, int, int]] = []  # block index, start, end in joined
    pending: list[tuple[int, str]] = []
    cursor = 0
    for i, text in enumerate(block_texts):
        toks = tokens(text)
        if not toks:
            labels.append(0)
            continue
        seq = " " + " ".join(toks) + " "
        if len(toks) < 4:
            labels.append(0)
            if seq in joined:
                pending.append((i, seq))
            continue
        pos = joined.find(seq, cursor)
        if pos < 0:
            pos = joined.find(seq)
        if pos >= 0:
            labels.append(1)
            anchors.append((i, pos, pos + len(seq)))
            cursor = pos + len(seq) - 1
            continue
        have = Counter(toks)
        covered = sum(min(c, bag[t]) for t, c in have.items()) / len(toks)
        labels.append(1 if covered >= 0.8 else 0)
    for i, seq in pending:
        before = [a for a in anchors if a[0] < i]
        after = [a for a in anchors if a[0] > i]
        lo = before[-1][2] - slack if before else 0
        hi = after[0][1] + slack if after else len(joined)
        if joined.find(seq, max(0, lo), min(len(joined), hi + len(seq))) >= 0:
            labels[i] = 1
    return labels




def load_pages(data: Path = DATA) -> list[dict]:
    """Every WCXB page: id, domain, type, title, truth and its full visible text (cached)."""
    CACHE.mkdir(exist_ok=True)
    cache = CACHE / "pages.pkl"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from resiliparse.extract.html2text import extract_plain_text

    pages = []
    for path in sorted((data / "ground-truth").glob("*.json")):
        gt = json.loads(path.read_text(encoding="utf-8"))
        domain, page_type = page_domain_and_type(gt)
        html = gzip.decompress((data / "html" / f"{path.stem}.html.gz").read_bytes()).decode("utf-8", "replace")
        full = extract_plain_text(html, main_content=False, alt_texts=False, links=False, list_bullets=False)
        pages.append({
            "id": path.stem, "domain": domain, "type": page_type,
            "title": gt["ground_truth"].get("title") or "",
            "truth": gt["ground_truth"].get("main_content") or "",
            "full": full,
        })
    cache.write_bytes(pickle.dumps(pages))
    return pages


# -- pollution ------------------------------------------------------------------------------------

STYLES = {
    "train": {
        "section_headers": ["More news", "Latest", "Most read", "Related articles", "Mehr aus Politik",
                            "Les plus lus", "Lo más leído", "Trending now", "Top stories", "Sport"],
        "promo": ["Read more: {h}", "READ MORE: {h}", "Also read: {h}", "Lesen Sie auch: {h}",
                  "Mehr zum Thema: {h}", "Lire aussi : {h}", "À lire aussi : {h}", "Lee también: {h}",
                  "Related: {h}", "See also: {h}", "Recommended: {h}"],
        "ticker": ["{hh}:{mm} {h}", "{hh}:{mm}  {h}"],
        "teaser_end": ["", " …", "..."],
        "contact": ["Contact: {name} at {email}", "Email: {email}", "Tel.: +49 30 {num}",
                    "Phone: (555) {num}", "Follow us on Twitter and Facebook",
                    "Kontakt: {email}", "Write to {name} at {email}"],
        "cookie": ["We use cookies to improve your experience. By continuing to browse the site you agree "
                   "to our use of cookies.",
                   "Diese Website verwendet Cookies. Mit der Nutzung stimmen Sie der Verwendung zu.",
                   "Ce site utilise des cookies pour améliorer votre expérience.",
                   "Accept all cookies", "Cookie settings"],
        "residue": ['<div class="article-body">', "&nbsp;&nbsp;", '<a href="/news">News</a>',
                    "window.dataLayer = window.dataLayer || [];", "var _gaq = _gaq || [];",
                    '{"@context":"https://schema.org","@type":"NewsArticle"}', "</div></div>",
                    "function(){ return false; }"],
    },
    "heldout": {
        "section_headers": ["Don't miss", "Altre notizie", "Mais lidas", "Meer nieuws", "Najnowsze",
                            "Editor's picks", "Popular on the site", "Ultime notizie"],
        "promo": ["Leggi anche: {h}", "LEIA TAMBÉM: {h}", "Lees ook: {h}", "Czytaj także: {h}",
                  "Don't miss: {h}", "You might also like: {h}", "WATCH: {h}", "Weiterlesen: {h}",
                  "Sur le même sujet : {h}", "Te puede interesar: {h}", "MORE: {h}"],
        "ticker": ["{hh}.{mm} Uhr | {h}", "[{hh}:{mm}] {h}", "{hh}h{mm} — {h}", "{hh}:{mm} | {h}"],
        "teaser_end": [" (video)", " →", ""],
        "contact": ["Reach the newsroom: {email}", "Tel. 020 {num} · {email}", "Contatti: {email}",
                    "Subscribe to our newsletter and get the best stories every morning.",
                    "Send tips to {email}", "{name} can be reached at {email}."],
        "cookie": ["Questo sito utilizza cookie tecnici e di profilazione. Proseguendo accetti.",
                   "Utilizamos cookies para personalizar conteúdo e anúncios.",
                   "This site uses cookies. Learn more about how we use cookies in our privacy policy.",
                   "Manage consent preferences", "OK, I agree"],
        "residue": ['<span class="byline">', "&amp;&quot;", "</p><p>", "googletag.cmd.push(function() {",
                    "document.getElementById('ad').style.display='none';", "{{ article.title }}",
                    '<img src="/img/logo.png" alt="">', "@media (max-width: 600px) { .nav { display: none } }"],
    },
}
_NAMES = ["Anna Berg", "Marco Rossi", "Jean Dupont", "Ewa Nowak", "Li Wei", "Sam Carter", "Ana Souza"]


def _email(rng: random.Random) -> str:
    return f"{rng.choice(['news', 'desk', 'tips', 'info', 'redaktion'])}@{rng.choice(['example', 'paper', 'daily'])}.com"


class Polluter:
    """Plants pollution of one style into a text; the headlines and teasers come from other pages."""

    def __init__(self, pages: list[dict], style: str) -> None:
        self.style = STYLES[style]
        self.headlines = [(p["domain"], p["title"].strip()) for p in pages if 3 <= len(p["title"].split()) <= 20]
        self.teasers: list[tuple[str, str]] = []
        for p in pages:
            sents = [s for s in _SENT_RE.split(p["truth"][:1500].replace("\n", " ")) if 8 <= len(s.split()) <= 40]
            self.teasers.extend((p["domain"], s) for s in sents[:2])

    def _headline(self, rng: random.Random, domain: str) -> str:
        while True:
            d, h = rng.choice(self.headlines)
            if d != domain:
                return h

    def _teaser(self, rng: random.Random, domain: str) -> str:
        while True:
            d, s = rng.choice(self.teasers)
            if d != domain:
                return s

    def chunk(self, rng: random.Random, domain: str) -> list[list[str]]:
        """One piece of pollution: a list of paragraphs, each a list of lines."""
        st = self.style
        kind = rng.choice(["section", "ticker", "teasers", "promo", "residue", "contact", "cookie"])
        if kind == "section":
            lines = [self._headline(rng, domain) for _ in range(rng.randint(3, 9))]
            header = rng.choice(st["section_headers"])
            return [[header, *lines]] if rng.random() < 0.6 else [[header], *[[x] for x in lines]]
        if kind == "ticker":
            fmt = rng.choice(st["ticker"])
            hh = rng.randint(6, 22)
            lines = []
            for _ in range(rng.randint(3, 8)):
                mm = rng.randint(0, 59)
                lines.append(fmt.format(hh=hh, mm=f"{mm:02d}", h=self._headline(rng, domain)))
                hh = max(0, hh - rng.randint(0, 2))
            return [lines] if rng.random() < 0.5 else [[x] for x in lines]
        if kind == "teasers":
            out = []
            for _ in range(rng.randint(2, 5)):
                t = self._teaser(rng, domain) + rng.choice(st["teaser_end"])
                out.append([self._headline(rng, domain), t] if rng.random() < 0.5 else [t])
            return out
        if kind == "promo":
            return [[rng.choice(st["promo"]).format(h=self._headline(rng, domain))]]
        if kind == "residue":
            return [[rng.choice(st["residue"]) for _ in range(rng.randint(1, 3))]]
        if kind == "contact":
            fmt = rng.choice(st["contact"])
            return [[fmt.format(name=rng.choice(_NAMES), email=_email(rng), num=rng.randint(100000, 999999))]]
        return [[rng.choice(st["cookie"])]]

    def pollute(self, text: str, seed: str, domain: str) -> tuple[str, list[str]]:
        """The text with 2-6 pieces of pollution planted between its paragraphs, and the planted lines."""
        rng = random.Random(seed)
        paras = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
        if len(paras) < 3:  # WET text of one paragraph a line: plant between lines instead
            paras = [line for line in text.splitlines() if line.strip()]
            sep = "\n"
        else:
            sep = "\n\n"
        planted: list[str] = []
        for _ in range(rng.randint(2, 6)):
            chunk = self.chunk(rng, domain)
            pos = rng.choice([0, len(paras), len(paras), rng.randint(0, len(paras))])
            rendered = ["\n".join(lines) for lines in chunk]
            planted.extend(line for lines in chunk for line in lines)
            paras[pos:pos] = ["\n\n".join(rendered)] if sep == "\n\n" else ["\n".join(rendered)]
        return sep.join(paras), planted


def load_corpus(style: str = "train", variants: tuple[str, ...] = ("wet", "polluted", "clean")) -> list[Doc]:
    """Documents of the requested variants for every page with a ground truth and some text."""
    pages = [p for p in load_pages() if p["truth"].strip() and p["full"].strip()]
    polluter = Polluter(load_pages(), style)
    docs = []
    for p in pages:
        base = dict(id=p["id"], domain=p["domain"], type=p["type"], truth=p["truth"])
        if "wet" in variants:
            docs.append(Doc(variant="wet", text=p["full"], **base))
        if "polluted" in variants:
            text, planted = polluter.pollute(p["full"], f"{style}:{p['id']}", p["domain"])
            docs.append(Doc(variant="polluted", text=text, planted=planted, **base))
        if "clean" in variants:
            docs.append(Doc(variant="clean", text=p["truth"], **base))
        if "clean_polluted" in variants:
            text, planted = polluter.pollute(p["truth"], f"{style}:c:{p['id']}", p["domain"])
            docs.append(Doc(variant="clean_polluted", text=text, planted=planted, **base))
    return docs
