"""`python -m tooling.benchmark` is `civic-bench`."""

import sys

from tooling.benchmark.cli import main

sys.exit(main())
