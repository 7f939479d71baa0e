"""Batches of scenarios: expansion, execution on Dask, comparison."""
