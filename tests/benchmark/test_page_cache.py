"""The bench starts each night with the deployment's warehouse out of the page cache."""

from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import os
import sys
from pathlib import Path

import pytest

from tooling.benchmark.page_cache import evict_from_page_cache

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="page cache residency is read with Linux's mincore"
)

PAGE = mmap.PAGESIZE
PAGES = 256


def resident_pages(path: Path) -> int:
    """How many of the file's pages the page cache holds (mincore on a mapping of the file)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.mincore.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p)
    size = path.stat().st_size
    vector = (ctypes.c_ubyte * ((size + PAGE - 1) // PAGE))()
    with (
        path.open("rb") as handle,
        mmap.mmap(handle.fileno(), size, access=mmap.ACCESS_COPY) as mapped,
    ):
        first_byte = ctypes.c_char.from_buffer(mapped)  # the mapping's address; nothing is read
        try:
            if libc.mincore(ctypes.addressof(first_byte), size, vector) != 0:
                raise OSError(ctypes.get_errno(), "mincore failed")
        finally:
            del first_byte  # the mapping cannot close while ctypes holds a pointer into it
    return sum(byte & 1 for byte in vector)


def test_a_warehouse_read_into_the_cache_is_out_of_it_after_eviction(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.write_bytes(os.urandom(PAGE * PAGES))
    warehouse.read_bytes()
    if resident_pages(warehouse) == 0:
        pytest.skip(f"{tmp_path}'s file system keeps no page cache to evict")

    assert evict_from_page_cache(warehouse)

    assert resident_pages(warehouse) == 0


def test_a_missing_warehouse_has_nothing_to_evict(tmp_path: Path) -> None:
    assert not evict_from_page_cache(tmp_path / "warehouse.duckdb")
