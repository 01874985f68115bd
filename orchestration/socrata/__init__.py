"""Talking to Socrata portals (the city's and the local twin) through one client class."""
