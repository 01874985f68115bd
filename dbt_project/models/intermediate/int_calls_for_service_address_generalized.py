"""mask_block_address and withhold_unsafe_addresses: each call's address as it may be
published, or the reason the call must be withheld.

A Python model because the rule is orchestration/warehouse/block_addresses.py, tested on its
own; it runs once per distinct address of the window, not once per row.
"""

from orchestration.warehouse.block_addresses import generalized_address_table


def model(dbt, session):
    dbt.config(materialized="table")
    addresses = (
        dbt.ref("int_calls_for_service_address_redacted")
        .project("source_row_id, address")
        .fetch_arrow_table()
    )
    places = dbt.ref("public_place_names").project("place_name").fetch_arrow_table()
    return generalized_address_table(addresses, places.column("place_name").to_pylist())
