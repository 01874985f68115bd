"""A local Socrata-compatible portal: the embedded default source and target, and the test twin.

It speaks enough of Socrata for sodapy, socrata-py and the pipeline to work against it
unchanged, and behaves as ../shared/socrata documents and records the real thing: SODA 2.x
(resource queries in SoQL, upsert and replace, views, the catalog), the Metadata API v1 and
the Dataset Management API's revisions, through which datasets are created, their columns
changed and files attached. It keeps its datasets in one DuckDB file. `soql` compiles
queries, `store` keeps the data, `views`, `view_put`, `metadata_api` and `dsmapi` decide how
views change, `server` speaks HTTP and `cli` runs it as the `local-portal` command.
"""

from tooling.local_portal.server import PortalHandle, serve_in_thread
from tooling.local_portal.soql import SoqlError
from tooling.local_portal.store import PortalStore

__all__ = ["PortalHandle", "PortalStore", "SoqlError", "serve_in_thread"]
