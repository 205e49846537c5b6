"""``python -m advisor …``: see :mod:`advisor.cli`."""

from advisor.cli import main

if __name__ == "__main__":  # not when a worker process (a pool's, Dask's) re-imports the main module
    raise SystemExit(main())
