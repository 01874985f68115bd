"""Release policies: when a day's rows may leave for the portal (catalog.ReleasePolicy)."""
