from thresher.assemble.markdown import render_markdown
from thresher.model import Block, Metadata
from thresher.options import Options


def test_shapes_render_as_gfm():
    blocks = [
        Block(index=0, text="Intro", kind="heading", level=2),
        Block(index=1, text="A *starred* word.", kind="paragraph"),
        Block(index=2, text="one", kind="list_item", level=1),
        Block(index=3, text="nested", kind="list_item", level=2),
        Block(index=4, text="", kind="table_row", cells=("Name", "Value")),
        Block(index=5, text="", kind="table_row", cells=("a|b", "1")),
        Block(index=6, text="print('x')", kind="code"),
    ]
    md = render_markdown(blocks, Metadata(title="Title: here"), Options())
    assert md.startswith("# Title: here\n\n## Intro\n\nA \\*starred\\* word.\n\n- one\n  - nested\n\n")
    assert "| Name | Value |\n| --- | --- |\n| a\\|b | 1 |" in md
    assert "```\nprint('x')\n```" in md


def test_line_that_looks_like_syntax_is_escaped():
    md = render_markdown([Block(index=0, text="1. not a list", kind="paragraph")], Metadata(), Options())
    assert md == "1\\. not a list\n"
