"""Code languages named on the <code> inside a <pre>."""

import thresher
from thresher.deadline import Deadline
from thresher.options import Options
from thresher.parse.html import parse_html
from thresher.segment.code import with_code_languages
from thresher.segment.html import segment_html

PAGE = (
    "<html><body><article><h1>Reading the working folder</h1><p>Words of the article, long enough to be the main "
    "content of this page, on how a program finds the folder it runs in.</p><p>A second paragraph says why it "
    "matters: paths in a script are read against that folder.</p><pre><code class=\"{cls}\">import os\n"
    "print(os.getcwd())</code></pre><p>Other words after the code, so that the page reads like an article with a "
    "code sample in it.</p><p>A last paragraph closes the article with a word on relative paths.</p>"
    "</article></body></html>"
)


def _code_hints(html: str) -> tuple[str, ...]:
    tree = parse_html(html, Options())
    blocks = with_code_languages(tree, segment_html(tree, Options(), Deadline(None)))
    return next(b.hints for b in blocks if b.kind == "code")


def test_the_inner_code_class_names_the_language():
    assert "python" in _code_hints(PAGE.format(cls="language-python"))
    assert "js" in _code_hints(PAGE.format(cls="hljs lang-js"))
    assert _code_hints(PAGE.format(cls="hljs")) == _code_hints(PAGE.format(cls="other"))  # nothing named


def test_fences_and_html_carry_it_and_the_text_is_unchanged():
    page = PAGE.format(cls="language-python")
    doc = thresher.extract(page, options=Options(with_markdown=True, with_html=True))
    assert "```python\nimport os" in doc.markdown
    assert '<code class="language-python">' in doc.html
    assert doc.text == thresher.extract(page).text
