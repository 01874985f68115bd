"""Bad input through the real pipeline (issue 9): a corpus of defects, kept as fixtures.

`fixtures/rows.py` lists row-level defects (each must be quarantined with its reason, or
published as the case says, and never fail the day); `fixtures/layouts.py` lists
dataset-level ones (a layout the models read publishes as before; one they cannot fails the
raw step naming the column or dataset, and nothing is published). To add a case, add an
entry there: the parametrized tests pick it up.
"""
