"""The key of the page's disk cache: the built-in sample's version plus a digest of the code and packages
that measure it.

Streamlit keys a cached function on its own source and arguments, not on the functions it calls. The built-in
sample is kept on disk across restarts (``persist="disk"``), so without this key an upgraded tool would keep
showing the sample as an older reader or counter measured it: the page and ``advise`` on the same sample would
disagree. Every Python file of the ``advisor`` package and the versions of the packages it rests on (:data:`PACKAGES`)
go into the key; any change to either measures the sample again on the next start.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path

__all__ = ["code_digest", "sample_cache_key"]

PACKAGE = Path(__file__).resolve().parents[1]
# the packages whose data or behaviour the measured sample rests on: the tokenizers' files, the sample's random
# draws and the frame's arithmetic
PACKAGES = ("bpe-openai", "mistral-common", "tiktoken", "numpy", "pandas")


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


@cache
def code_digest(package: Path = PACKAGE) -> str:
    """A 16-hex-digit digest of every ``*.py`` under ``package`` (path and bytes, in path order) and of the
    versions of :data:`PACKAGES`. Computed once per process (~77 files, a few ms).

    >>> len(code_digest()), code_digest() == code_digest()
    (16, True)
    """
    h = hashlib.blake2b(digest_size=8)
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    for name in PACKAGES:
        h.update(f"{name}={_version(name)}\0".encode())
    return h.hexdigest()


def sample_cache_key(sample_digest: str) -> str:
    """``sample_digest`` (the sample's own version) joined to :func:`code_digest`.

    >>> sample_cache_key("builtin-sample-v4").startswith("builtin-sample-v4+")
    True
    """
    return f"{sample_digest}+{code_digest()}"
