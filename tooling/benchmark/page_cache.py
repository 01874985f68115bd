"""Take a file out of the operating system's page cache, so a timed run reads it from disk.

A city's nightly run starts after a day in which the machine did other work: its warehouse is
on disk, not in memory. The bench's nights used to start in whatever state the figures before
them left. On 2026-12-05 the full history's night ran first, after a PostgreSQL backfill and
two rebuilds of fifteen years had pushed the code's libraries and its warehouse out of the
cache, and the month's night right after it, with the libraries read back in: 33.0 s against
26.9 s in that `make bench`, where the same night run again warm took 26.8 s against 25.4 s,
and with every cache dropped 30.7 s against 24.3 s. The nightly figure now reads the libraries
in before the first night and starts each night with its warehouse out of the cache, so both
compare from the same state and the cost of reading history from disk stays in the figure.
"""

from __future__ import annotations

import os
from pathlib import Path


def evict_from_page_cache(path: Path) -> bool:
    """Write `path`'s dirty pages out and drop its cached ones; False where the OS cannot.

    `posix_fadvise(POSIX_FADV_DONTNEED)` drops only clean pages, hence the `fsync` first. It
    needs no privilege, and leaves every other file's pages (the interpreter, the libraries)
    where they are, so it times the warehouse's reads and nothing else. A missing file has
    nothing cached.
    """
    if not hasattr(os, "posix_fadvise") or not path.exists():
        return False
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
        os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(descriptor)
    return True
