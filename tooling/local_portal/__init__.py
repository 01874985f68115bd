"""A local Socrata-compatible portal: the embedded default source and target, and the test twin.

It speaks enough of Socrata's SODA 2.x API (resource queries in SoQL, upsert and replace,
view metadata, the catalog) for sodapy and the pipeline to work against it unchanged, and
keeps its datasets in one DuckDB file. `soql` compiles queries, `store` keeps the data,
`server` speaks HTTP and `cli` runs it as the `local-portal` command.
"""

from tooling.local_portal.server import PortalHandle, serve_in_thread
from tooling.local_portal.soql import SoqlError
from tooling.local_portal.store import PortalStore

__all__ = ["PortalHandle", "PortalStore", "SoqlError", "serve_in_thread"]
