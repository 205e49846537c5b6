"""``python -m advisor …``: see advisor/cli.py."""

from .cli import main

raise SystemExit(main())
