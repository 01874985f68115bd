"""mask_block_address and withhold_unsafe_addresses for 311 at block precision: each
request's street address as its block, or the reason the request must be withheld.

At 'full' precision (the city's own practice) nothing is generalized and the table is empty.
"""

from orchestration.warehouse.block_addresses import generalized_address_table


def model(dbt, session):
    dbt.config(materialized="table")
    requests = dbt.ref("int_service_requests_311_repeats_flagged")
    if dbt.config.get("address_precision") != "block":
        requests = requests.filter("false")
    addresses = requests.project("source_row_id, final_address as address").fetch_arrow_table()
    places = dbt.ref("public_place_names").project("place_name").fetch_arrow_table()
    return generalized_address_table(addresses, places.column("place_name").to_pylist())
