"""Take a file out of the operating system's page cache, so a timed run reads it from disk.

A city's nightly run starts after a day in which the machine did other work: its warehouse is
on disk, not in memory. The bench's nights used to start in whatever state the figures before
them left: on 2026-12-05 the full history's night ran after two rebuilds of fifteen years and a
PostgreSQL backfill had pushed its warehouse out of the cache, the month's right after its own
backfill had written its warehouse in, and the two nights then differed by what each had to
read from disk as much as by what each did. The night on the full history read 33.0 s in that
`make bench` against 26.8 s when run again warm, and 30.7 s with every cache dropped. Starting
each night with its warehouse out of the cache makes the comparison the same for both, and
keeps the cost of reading history from disk in the figure, where a night that reads the archive
shows it.
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
