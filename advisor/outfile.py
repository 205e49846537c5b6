"""Writing an output file whole or not at all.

Every file the tool writes (``report -o``, ``count --per-request``, the sample logs) is written to a temporary
file in the target's directory and renamed over the target only once complete: a full disk, a file-size limit
or an interrupt leaves the previous file as it was (and no half-written one), and a reader never sees a partial
file. The rename is atomic on POSIX within one file system, which the same directory guarantees.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["write_atomically"]


def write_atomically(path: str | os.PathLike, write: Callable[[str], object]) -> Path:
    """Call ``write(temp_path)`` to write the whole file, then rename it to ``path``; returns ``path``.

    On any failure the temporary file is removed and the error re-raised; ``path`` is untouched. The new file
    keeps the old one's permission bits (a new one gets the usual 0o666 less the umask). A symbolic link is
    followed (its target is replaced, the link kept); a target that is not a regular file (``/dev/stdout``, a
    pipe) is written directly, since it cannot be renamed over.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "out.txt").write_text("old")
    >>> def broken(tmp):
    ...     pathlib.Path(tmp).write_text("half")
    ...     raise OSError(28, "No space left on device")
    >>> try:
    ...     write_atomically(d / "out.txt", broken)
    ... except OSError as e:
    ...     print(e.strerror)
    No space left on device
    >>> (d / "out.txt").read_text(), sorted(p.name for p in d.iterdir())
    ('old', ['out.txt'])
    """
    target = Path(os.path.realpath(path))
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        write(str(target))
        return Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        os.close(fd)
        write(tmp)
        with open(tmp, "rb+") as fh:  # on disk before the rename: a crash leaves the old file or the new one
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return Path(path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
