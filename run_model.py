#!/usr/bin/env python3
"""Command-line entry of peer-econ; all the work is in econ.cli (see econ.cli.main.entry)."""
if __name__ == "__main__":
    import gc
    import sys

    try:
        import signal

        # Ctrl-C must interrupt even when the parent started us with SIGINT ignored (background
        # jobs), and gives exit status 130 with a message even while the package is importing.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        # Importing numpy, pandas and pydantic creates many long-lived objects: the cyclic garbage
        # collector runs less often while they load, and they are then set aside (gc.freeze) so
        # later collections do not scan them; the defaults apply from the command on (issue 19).
        thresholds = gc.get_threshold()
        gc.set_threshold(50_000, 50, 100)
        from econ.cli.main import entry
        gc.freeze()
        gc.set_threshold(*thresholds)
    except KeyboardInterrupt:
        print("interrupted: no result files were written; run the command again", file=sys.stderr)
        sys.exit(130)
    entry()
