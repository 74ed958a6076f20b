from econ.report.excel_model import excel_model  # noqa: F401  (econ.report.excel_model(...))
