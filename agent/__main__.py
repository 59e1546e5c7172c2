"""`python -m agent`: the same commands as `avroll-agent`."""

import sys

from agent.cli import main

sys.exit(main())
