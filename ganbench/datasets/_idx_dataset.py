"""Shared loader for datasets stored as the four MNIST-style IDX files (MNIST, Fashion-MNIST).

A dataset is looked for in a list of folders; the first folder holding all four files (each plain or
``.gz``) wins. When none does, an optional download is tried once, then the folders are searched again
(`ganbench.datasets._download`); if the files are still missing, `DatasetUnavailableError` says where
they were expected and how to get them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

from ganbench.datasets._download import find_or_download, unavailable_message
from ganbench.datasets._idx import read_idx
from ganbench.datasets.spec import CorruptDatasetError, Dataset, DatasetUnavailableError, ImageSet

#: split -> (images file, labels file), the names of the original MNIST distribution (without ``.gz``).
IDX_FILES: dict[str, tuple[str, str]] = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
ALL_FILE_NAMES: tuple[str, ...] = tuple(name for pair in IDX_FILES.values() for name in pair)

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
    files, download_error = find_or_download(lambda: find_idx_files(folders), download)
    if files is None:
        wanted = f"its four IDX files ({', '.join(ALL_FILE_NAMES)}, each may be .gz)"
        raise DatasetUnavailableError(
            unavailable_message(name, wanted, folders, download, download_error, how_to_get)
        )
    splits = {split: read_split(files[img], files[lab]) for split, (img, lab) in IDX_FILES.items()}
    source = files[ALL_FILE_NAMES[0]].parent
    return Dataset(
        name=name, train=splits["train"], test=splits["test"], num_classes=NUM_CLASSES, source=str(source)
    )
