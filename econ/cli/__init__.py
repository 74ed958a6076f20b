"""The command line: ``python run_model.py COMMAND`` (``main``), one module per command group."""
from econ.cli.main import main

__all__ = ["main"]
