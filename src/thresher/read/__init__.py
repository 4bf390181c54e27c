"""The read edge: files, archives, URLs and stdin in; Page (or Failure) records out.

``sources.iter_inputs`` is the dispatcher; one module per input kind (``html``, ``text``, ``jsonl``,
``warc``, ``fetch``, ``stdin``); ``encoding.decode`` and ``sniff.sniff`` are the two stages the
pipeline calls on every page; ``stats.ReadStats`` counts what was skipped on purpose.
"""
