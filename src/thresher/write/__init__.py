"""Renderers and writers: Documents and Failures → txt, Markdown, JSON, JSON Lines, CSV, XML, HTML."""

from thresher.write.formats import FORMAT_NAMES, Format, get_format
from thresher.write.frontmatter import front_matter, yaml_scalar
from thresher.write.output import DirectoryOutput, FileNamer, Output, ParquetOutput, StreamOutput

__all__ = [
    "FORMAT_NAMES",
    "DirectoryOutput",
    "FileNamer",
    "Format",
    "Output",
    "ParquetOutput",
    "StreamOutput",
    "front_matter",
    "get_format",
    "yaml_scalar",
]
