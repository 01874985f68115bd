"""`make bench`: speed and memory figures of the platform, each against a baseline of the same run.

Targets such as "running all contracts on a 500k-row span takes less than the dbt build of the
same span" are checked here, by a command that prints figures, never by a timed test: a timed
test is flaky on a loaded machine, while a ratio of two timings taken one after the other on
the same data and machine says what the target means.

The package is small on purpose, one job a module:

- `figures`: what a figure is (rows of name, value, unit) and the registry `make bench` runs;
- `context`: what figures share, chiefly the generated partition span, built once a run;
- `span`: generating, serving and loading a span of internal rows into a fresh warehouse;
- `measure`: timing a child process, with its own peak memory;
- `dbt_build`, `contracts`: the two commands the first figure compares;
- `contracts_vs_dbt`: that figure;
- `report`, `cli`: printing the table and the exit status (`civic-bench`);
- `check_costs`: when contracts are the slow side, the time of each check alone.
"""
