"""The city's own published rows, rebuilt as internal exports and run through the platform.

Issue 16 item 4: the generator's invented calls cannot show what the city's real rows do to
the pipeline (their spellings, their codes, the house numbers and juvenile types the city
itself leaked). These tests rebuild an internal export from the real rows beside the repo
(../shared/data, never committed; the tests skip without it) and compare what the platform
publishes with what the city published.
"""
