"""Thresher: separate the grain from the chaff on the web.

>>> import thresher
>>> doc = thresher.extract("<html><body><article><p>Hello, world. This is the text.</p></article></body></html>")
"""

from thresher.errors import ThresherError
from thresher.extract import extract, extract_many, extract_result, extract_trace
from thresher.model import Block, Decision, Document, Failure, Metadata, Page, Provenance, Rejected, Trace
from thresher.options import Options

__version__ = "0.1.0"

__all__ = [
    "Block",
    "Decision",
    "Document",
    "Failure",
    "Metadata",
    "Options",
    "Page",
    "Provenance",
    "Rejected",
    "ThresherError",
    "Trace",
    "__version__",
    "extract",
    "extract_many",
    "extract_result",
    "extract_trace",
]
