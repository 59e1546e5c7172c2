"""PyInstaller's entry point for the one-file agent (absolute import: no package context here)."""

import sys

from agent.cli import main

sys.exit(main())
