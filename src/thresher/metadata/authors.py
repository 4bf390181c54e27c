"""Author names: candidates from JSON-LD, ``<meta>`` and bylines, cleaned of labels and roles.

A byline reads ``By Jane Miller, Senior Reporter`` or ``Written by: Jane Miller | Author``; the name is
what remains once the label before it and the role words after it are gone. An organisation named as
the author (the site itself, most often) gives way to a person named in a byline.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from thresher.metadata import dates

MAX_NAME = 80
"""Characters: longer candidates are sentences, not names."""
MAX_WORDS = 8
"""Words: a byline longer than this once cleaned is not a name."""

_JUNK = re.compile(r"https?://|www\.|@|\d{4}|[{}<>=]", re.IGNORECASE)
_SPLIT = re.compile(r"\s*(?:[|•·]|\s[-–—]\s|\bon\s+(?=\w+\s+\d)|,\s*(?=\d))\s*")
_PAREN = re.compile(r"\s*\(([^)]*)\)\s*$")


@dataclass(frozen=True, slots=True)
class Words:
    labels: frozenset[str]
    """Every language's byline labels, lower-cased (also read by text mode's byline rule)."""
    label: re.Pattern[str]
    written: re.Pattern[str]
    other_script: re.Pattern[str]
    roles: frozenset[str]
    role_modifiers: frozenset[str]
    cut: frozenset[str]
    not_names: frozenset[str]
    comment_containers: frozenset[str]


@lru_cache(maxsize=1)
def words() -> Words:
    """The byline vocabulary of ``data/author_words.json``."""
    raw = json.loads(resources.files("thresher").joinpath("data/author_words.json").read_text("utf-8"))
    labels = {w for ws in raw["labels"].values() for w in ws}
    # a label written with a colon at its end ("文:") is one only when a colon follows it
    plain = "|".join(re.escape(w) for w in sorted((w for w in labels if not w.endswith(":")), key=len, reverse=True))
    colon = "|".join(re.escape(w.rstrip(":")) for w in sorted((w for w in labels if w.endswith(":")), key=len,
                                                               reverse=True))
    # "By Jane", "By: Jane", "ByJane" (the label glued to the name by markup without a space)
    label = re.compile(rf"^\s*(?:(?:{plain})(?:\s*:\s*|\s+)|(?:{colon})\s*:\s*|(?-i:By)(?=(?-i:[A-ZÀ-Ý])))",
                       re.IGNORECASE)
    name = (r"[A-ZÀ-ÝĀ-Ž][\w.'’-]*(?:[ \t]+(?:[A-ZÀ-ÝĀ-Ž][\w.'’-]*|van|von|de|der|den|da|di|du|la|le|del|dos|bin)){0,4}"
            r"(?:,[ \t]*(?:[A-Z][A-Z.-]{1,8}|Ph\.?D\.?)(?=[\s,]|$))*")  # credentials: ", MD", ", PhD"
    # at the start of a line (a text node of its own): "By Jane Miller", "Written by:\nJane Miller"
    written = re.compile(rf"(?:^|(?<=\n))[ \t]*(?i:{plain})(?!\w)[ \t]*[:：]?[ \t]*\n?[ \t]*({name})")
    # the same with a name in a script beyond Latin ("作者：王小明", "بقلم: أحمد محمد", "Автор: Иван
    # Петров"): the rest of the line, which :func:`clean` cuts to the name
    other = re.compile(rf"(?:^|(?<=\n))[ \t]*(?i:(?:{plain})(?!\w)[ \t]*[:：]?|(?:{colon})[ \t]*[:：])[ \t]*"
                       r"(?=[^\W\d_\x00-\u024f])([^\n]{1,80})")
    return Words(labels=frozenset(w.lower() for w in labels), label=label, written=written, other_script=other, roles=frozenset(w.lower() for w in raw["roles"]),
                 role_modifiers=frozenset(w.lower() for w in raw["role_modifiers"]), cut=frozenset(raw["cut"]), not_names=frozenset(raw["not_names"]),
                 comment_containers=frozenset(raw["comment_containers"]))


def clean(value: str) -> str | None:
    """The name in a byline text, or None when what is left does not look like a name."""
    text = " ".join(html.unescape(value).replace("：", ": ").split())
    vocab = words()
    for _ in range(2):
        text = vocab.label.sub("", text, count=1).strip(" ,:;|-–—")
    parts = [p for p in _SPLIT.split(text) if p.strip()]
    if not parts:
        return None
    # "Jane Miller – Jane Miller", "Jane Miller | Author": the first part is the name
    text = parts[0].strip(" ,:;")
    m = _PAREN.search(text)
    if m and _fold(m.group(1)) in (_fold(text[: m.start()]), ""):
        text = text[: m.start()]
    tokens = text.split()
    for i, token in enumerate(tokens):
        # "Jane Miller Published 4 May": the byline goes on with a date
        if token.lower().split(":")[0].strip(",.") in vocab.cut or _is_date_word(tokens, i):
            tokens = tokens[:i]
            break
    role_went = False  # "Jane Miller, Political Editor": the role's modifier goes with it
    while len(tokens) > 1:
        last = tokens[-1].lower().strip(",.")
        if any(ch.isdigit() or ch == "@" for ch in tokens[-1]):
            role_went = False
        elif (last in vocab.roles and _role_after_name(tokens)) or (role_went and last in vocab.role_modifiers):
            role_went = True
        else:
            break
        tokens.pop()
    text = " ".join(tokens).strip(" ,:;")
    if not tokens or text.lower() in vocab.roles or text.lower() in vocab.not_names:
        return None
    if tokens[-1].lower() in vocab.roles and not _surname_role(tokens, vocab):
        return None
    if len(tokens) > 2 and sum(not t[:1].islower() for t in tokens) * 2 < len(tokens):
        return None  # mostly lower-case words: a phrase, not a name
    return text if plausible(text) else None


def _role_after_name(tokens: list[str]) -> bool:
    """Whether the last token, a role word, follows a name rather than being part of it: two words
    stay before it (``Jane Miller Reporter``), or a comma sets it apart (``Jane, Editor``). In a
    two-word value without a comma (``Ada Writer``) the word is a surname."""
    return len(tokens) > 2 or tokens[-2].endswith(",") or _uncased(tokens[-2])


def _uncased(token: str) -> bool:
    """Whether ``token`` starts with a letter of a script without capitals (Arabic, Hebrew, Devanagari,
    Thai, CJK, Hangul): there a role word after a name is never part of it."""
    first = token[:1]
    return first.isalpha() and not first.isupper() and not first.islower()


def _surname_role(tokens: list[str], vocab: Words) -> bool:
    """``Ada Writer``: a given name (capitalised, neither a role, nor a word that makes a job title of
    the role as in ``Political Editor``, nor a word like ``The``) before a last word that is also a role
    word."""
    first = tokens[0].lower()
    return (len(tokens) == 2 and tokens[0][:1].isupper() and first not in vocab.roles
            and first not in vocab.role_modifiers and first not in vocab.not_names)


def _is_date_word(tokens: list[str], i: int) -> bool:
    """A month name beside a number (``4 August``, ``December 12``): where a byline's date starts."""
    if tokens[i].lower().strip(",.") not in dates.vocabulary().months:
        return False
    before = i > 0 and tokens[i - 1].strip(",.").isdigit()
    after = i + 1 < len(tokens) and tokens[i + 1][:1].isdigit()
    # a full month name closing the byline ("Supermove February") is a cut-off date too
    last = i == len(tokens) - 1 and i > 0 and len(tokens[i].strip(",.")) >= 5
    return before or after or last


def from_citation(value: str) -> str:
    """``Last, First`` (the citation meta tags' order) → ``First Last``."""
    parts = [p.strip() for p in value.split(",")]
    return f"{parts[1]} {parts[0]}" if len(parts) == 2 and all(parts) else value


def plausible(value: str) -> bool:
    """Short, no URL or e-mail address or year, not a sentence."""
    value = value.strip()
    return (2 <= len(value) <= MAX_NAME and not _JUNK.search(value)
            and len(value.split()) <= MAX_WORDS and any(ch.isalpha() for ch in value))


def join(names: Sequence[str]) -> str:
    """Several authors the way a byline writes them: ``A and B``, ``A, B, and C``."""
    names = list(names)
    if len(names) <= 1:
        return names[0] if names else ""
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return ", ".join(names[:-1]) + ", and " + names[-1]


def json_ld_authors(value: Any) -> tuple[list[str], bool]:
    """Author names in a JSON-LD ``author`` value, and whether they are all organisations."""
    names: list[str] = []
    organisations = 0
    for item in value if isinstance(value, list) else [value]:
        name = None
        if isinstance(item, str):
            name = item
        elif isinstance(item, dict):
            raw = item.get("name")
            if isinstance(raw, list) and raw:
                raw = raw[0]
            name = raw if isinstance(raw, str) else None
            types = item.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(str(t).lower() in ("organization", "organisation", "corporation", "newsmediaorganization")
                   for t in types):
                organisations += 1
        if name:
            cleaned = clean(name)
            if cleaned and cleaned.lower() not in (n.lower() for n in names):
                names.append(cleaned)
    return names, bool(names) and organisations >= len(names)


BYLINE_SELECTORS = (
    '[rel="author"]', '[itemprop="author"] [itemprop="name"]', '[itemprop="author"]',
    'a[href*="/author/"]', 'a[href*="/authors/"]', '[class*="author-name"]', '[class*="author__name"]',
    '[class*="byline"] a', '[class*="byline"]', '[class*="author"] a', '[class*="author"]',
)
"""Where bylines are, most specific first."""
MAX_BYLINE_NODES = 5
"""Elements looked at per selector."""


def written_byline(text: str) -> str | None:
    """A name written after a byline label (``By Jane Miller``, ``Written by: Jane Miller``) at the
    start of a line of ``text``, the page text beside the title."""
    vocab = words()
    for pattern in (vocab.written, vocab.other_script):
        for m in pattern.finditer(text):
            got = clean(m.group(1))
            if got:
                return got
    return None


def byline(body: Any) -> str | None:
    """The name in the page's first byline element, trying :data:`BYLINE_SELECTORS` in order, at most
    :data:`MAX_BYLINE_NODES` elements each."""
    containers = words().comment_containers
    for nodes in _byline_nodes(body):
        for node in nodes[:MAX_BYLINE_NODES]:
            text = node.text(deep=True, separator=" ")
            if not text or len(text) > 200 or _in_comments(node, containers):
                continue
            got = clean(text)
            if got:
                return got
    return None


def _in_comments(node: Any, containers: frozenset[str]) -> bool:
    """Whether the element or one of its ancestors holds reader comments (a class or id token in
    ``containers``): a byline there names a commenter."""
    while node is not None and node.tag not in ("body", "html"):
        attrs = node.attributes
        for key in ("class", "id"):
            value = attrs.get(key)
            if value and not containers.isdisjoint(value.lower().split()):
                return True
        node = node.parent
    return False


def _byline_nodes(body: Any) -> Iterator[list[Any]]:
    """What each of :data:`BYLINE_SELECTORS` selects, in order, computed when asked: five scans of
    the tree instead of eleven (the others are filters or descendants of what these find; lexbor
    runs a selector list slower than its parts one by one)."""
    yield body.css('[rel="author"]')
    itemprop = body.css('[itemprop="author"]')
    yield _descendants(itemprop, '[itemprop="name"]')
    yield itemprop
    hrefs = body.css('a[href*="/author"]')
    yield [n for n in hrefs if "/author/" in (n.attributes.get("href") or "")]
    yield [n for n in hrefs if "/authors/" in (n.attributes.get("href") or "")]
    authors = body.css('[class*="author"]')
    yield [n for n in authors if "author-name" in (n.attributes.get("class") or "")]
    yield [n for n in authors if "author__name" in (n.attributes.get("class") or "")]
    bylines = body.css('[class*="byline"]')
    yield _descendants(bylines, "a")
    yield bylines
    yield _descendants(authors, "a")
    yield authors


def _descendants(nodes: list[Any], selector: str) -> list[Any]:
    """The elements matching ``selector`` inside any of ``nodes`` (not the nodes themselves), in
    document order, each once: what ``"<nodes' selector> <selector>"`` selects."""
    out: list[Any] = []
    seen: set[int] = set()
    for node in nodes:
        own = node.mem_id
        for inner in node.css(selector):
            key = inner.mem_id
            if key != own and key not in seen:
                seen.add(key)
                out.append(inner)
    return out


def _fold(value: str) -> str:
    return " ".join(re.findall(r"\w+", value.lower()))
