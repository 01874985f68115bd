"""The stewards' review packet: misspellings, the packet of a built warehouse, its page."""
