#!/usr/bin/env python3
"""Command-line entry of peer-econ; all the work is in econ.cli (see econ.cli.main.entry)."""
if __name__ == "__main__":
    import sys

    try:
        import signal

        # Ctrl-C must interrupt even when the parent started us with SIGINT ignored (background
        # jobs), and gives exit status 130 with a message even while the package is importing.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        from econ.cli.main import entry
    except KeyboardInterrupt:
        print("interrupted: no result files were written; run the command again", file=sys.stderr)
        sys.exit(130)
    entry()
