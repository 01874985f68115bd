"""Publishing public marts to the city's portal: the ledger, the plan, and sending it."""
