"""thresher.allocator: big blocks freed after a big page go back to the system (glibc)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc only")

# One 8 MiB block freed (glibc then serves blocks up to 8 MiB from the heap), then 2 MiB blocks
# interleaved with 100 kB blocks that stay (too big for any hole the interpreter left), then the
# big ones freed: what the process still holds is the growth printed.
SCRIPT = """
import sys
from thresher.allocator import return_big_blocks
if sys.argv[1] == "fix":
    assert return_big_blocks()
def rss():
    with open("/proc/self/status") as f:
        return int(f.read().split("VmRSS:")[1].split()[0]) * 1024
big = b"x" * (8 << 20)
del big
base = rss()
blocks, keep = [], []
for _ in range(40):
    blocks.append(b"x" * (2 << 20))  # written, so its pages are resident
    keep.append(b"y" * 100_000)
del blocks
print((rss() - base) >> 20)
"""


def _growth_mib(mode: str, **env: str) -> int:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")} | env
    out = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, env=environ,
                         check=True, timeout=120)
    return int(out.stdout.strip())


def test_freed_big_blocks_are_returned() -> None:
    assert _growth_mib("default") >= 40  # glibc's own thresholds keep the 80 MiB (the test can fail)
    assert _growth_mib("fix") <= 8


def test_the_environment_wins() -> None:
    code = "from thresher.allocator import return_big_blocks; print(return_big_blocks())"
    environ = os.environ | {"MALLOC_MMAP_THRESHOLD_": "65536"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ, check=True)
    assert out.stdout.strip() == "False"
