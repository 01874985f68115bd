"""The stewards' review packet: what a day's publish would release, withhold and change."""
