"""How the C allocator gives back the memory of big pages (glibc only): the edges that run many
extractions in one process (the CLI, ``thresher run``'s workers, the server's workers) call
:func:`return_big_blocks` once.

glibc's malloc serves blocks of 128 KiB and more from their own ``mmap`` and returns them on ``free``,
but each such free raises that threshold to the freed block's size (up to 32 MiB). After one page of
a few megabytes, every later page's large strings, parser chunks and feature arrays come from the
heap instead, between the small objects that stay, and the heap cannot shrink past them: over the
1,497 WCXB dev pages one process grew from 131 MB (models loaded) to 197 MB, with a peak of 200 MB,
nearly all of it free memory glibc kept (``malloc_trim`` gave 60 MB back). A fixed threshold of
1 MiB, with the heap's free top kept up to 8 MiB, ends the run at 162 MB with a peak of 183 MB, for
about 2 % more system time (the fresh pages of each large block).

A library does not change its host's allocator on import: programs that call ``thresher.extract``
themselves may call this too. An explicit ``MALLOC_MMAP_THRESHOLD_`` or ``MALLOC_TRIM_THRESHOLD_`` in
the environment is the user's choice and is left alone.
"""

from __future__ import annotations

import ctypes
import os
import platform

MMAP_THRESHOLD = 1 << 20
"""Blocks this large or larger get their own mapping, returned to the system when freed."""
TRIM_THRESHOLD = 8 << 20
"""Free memory at the top of the heap beyond this is returned to the system."""

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt parameters, <malloc.h>
_ENVIRONMENT = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")

_done: bool | None = None


def return_big_blocks(mmap_threshold: int = MMAP_THRESHOLD, trim_threshold: int = TRIM_THRESHOLD) -> bool:
    """Fix glibc's mmap and trim thresholds for this process (once; later calls do nothing).

    True when they are set now or were set by an earlier call; False where this is not glibc, where
    ``mallopt`` refuses, or when the environment sets either threshold."""
    global _done
    if _done is not None:
        return _done
    _done = False
    if any(name in os.environ for name in _ENVIRONMENT) or platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # pragma: no cover - glibc always has it
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    _done = bool(mallopt(_M_MMAP_THRESHOLD, mmap_threshold)) and bool(mallopt(_M_TRIM_THRESHOLD, trim_threshold))
    return _done
