"""`python -m orchestration.benchmark` is `civic-bench`."""

import sys

from orchestration.benchmark.cli import main

sys.exit(main())
