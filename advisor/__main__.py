"""``python -m advisor …``: see :mod:`advisor.cli`."""

from advisor.cli import main

raise SystemExit(main())
