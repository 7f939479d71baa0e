"""The command line (`solve.py`): parsing, progress and tables; the only place that prints."""
