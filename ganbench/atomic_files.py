"""Files written whole or not at all: the one way ganbench replaces a file others may read.

:func:`replacing` yields a temporary path beside the target, unique to the writing process and
thread (two writers of the same cache entry never share one), and renames it over the target
when the block ends without an error (``os.replace``: atomic on POSIX and Windows within one
folder). A kill at any moment leaves the previous file or the new one, whole; an error removes the
temporary. With ``durable=True`` the file and its folder are fsynced, so the new file survives a
power loss too (training checkpoints).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def temporary_beside(path: Path, suffix: str = "") -> Path:
    """``.<name>.<pid>-<thread>.tmp<suffix>`` in ``path``'s folder (``suffix``: an extension a
    writer insists on, e.g. ``.npz`` for ``np.savez``)."""
    return path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp{suffix}")


@contextmanager
def replacing(path: str | Path, *, suffix: str = "", durable: bool = False) -> Iterator[Path]:
    """Write the yielded temporary path; it replaces ``path`` when the block ends without error."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_beside(path, suffix)
    try:
        yield temporary
        if durable:
            with open(temporary, "rb+") as handle:
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    if durable and hasattr(os, "O_DIRECTORY"):  # POSIX: make the rename itself durable
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def write_text(path: str | Path, text: str) -> None:
    """Replace ``path`` by ``text`` atomically."""
    with replacing(path) as temporary:
        temporary.write_text(text)
