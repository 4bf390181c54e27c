"""Story clustering: group news headlines that report the same real-world event.

items ─► collapse (near-identical) ─► similarity (lexical | embedding) ─► average link with a gate
                                                                  └─► StoryIndex: the same, one item at a time

>>> from thresher.stories import Item, cluster_stories
>>> result = cluster_stories([Item(id="a", headline="UAW reaches tentative deal with Ford"),
...                           Item(id="b", headline="UAW reaches tentative labor agreement with Ford")])
>>> result.story_of("a") == result.story_of("b")
True
"""

from thresher.stories.cluster import cluster_stories, story_id
from thresher.stories.incremental import StoryIndex
from thresher.stories.model import Item, StoriesOptions, StoriesResult, Story
from thresher.stories.parse import (
    item_from_document,
    item_from_record,
    items_from_headlines,
    parse_headline_line,
    parse_timestamp,
)
from thresher.stories.similarity import Backend, EmbeddingBackend, LexicalBackend, Weights, make_backend

__all__ = [
    "Backend",
    "EmbeddingBackend",
    "Item",
    "LexicalBackend",
    "StoriesOptions",
    "StoriesResult",
    "Story",
    "StoryIndex",
    "Weights",
    "cluster_stories",
    "item_from_document",
    "item_from_record",
    "items_from_headlines",
    "make_backend",
    "parse_headline_line",
    "parse_timestamp",
    "story_id",
]
