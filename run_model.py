#!/usr/bin/env python3
"""Command-line entry of peer-econ; all the work is in econ.cli.main."""
import sys

from econ.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
