"""Batches of scenarios: expansion, execution on Dask, comparison.

- :mod:`batch.spec` — a batch's mapping → scenarios with stable ids;
- :mod:`batch.excel` — the Excel template and its reader;
- :mod:`batch.read` — ``read_batch``: a batch file (TOML, YAML or Excel) → scenarios;
- :mod:`batch.models` — the models a batch can run (``network``, or your own);
- :mod:`batch.task` — one scenario inside a worker: load, solve, check, render;
- :mod:`batch.store` — atomic scenario folders, manifests, resume;
- :mod:`batch.run` — ``run_batch`` on a Dask LocalCluster, a remote cluster or in-process;
- :mod:`batch.compare` — KPI table, Pareto sets, chart, HTML and Excel comparison.

See docs/batch.md.
"""
