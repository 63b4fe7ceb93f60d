"""Background jobs of modules: declared with ``register_jobs``, queued in the hub's own
database, run by ``bmc-hub worker`` processes (see docs/jobs.md)."""
