"""CIFAR-10 (Krizhevsky, 2009, "Learning Multiple Layers of Features from Tiny Images", tech. report,
University of Toronto): 50,000 train / 10,000 test, 32x32 RGB, 10 classes (airplane, automobile, bird,
cat, deer, dog, frog, horse, ship, truck).

Two distributions of the same data (https://www.cs.toronto.edu/~kriz/cifar.html); folders searched in
this order, the first holding all six batch files wins:

1. ``<root>/cifar-10-batches-py/``, the "python version" (torchvision's layout, and where a download
   goes): ``data_batch_1`` ... ``data_batch_5`` (train) and ``test_batch``, each a pickled dict whose
   ``b"data"`` is a uint8 array [N, 3072] and ``b"labels"`` a list of N ints in 0..9. They are read
   with a restricted unpickler (`ganbench.datasets._safe_pickle`) that can build numpy arrays and
   nothing else: a file naming any other callable (``os.system``...) is refused before it runs.
2. ``<root>/cifar-10-batches-bin/``, the "binary version": ``data_batch_1.bin`` ... ``data_batch_5.bin``
   and ``test_batch.bin``, each a sequence of 3,073-byte records: 1 label byte, then the 3,072 pixel
   bytes. No pickle at all.

In both, an image's 3,072 bytes are CHW-planar: 1,024 red values, then 1,024 green, then 1,024 blue,
each plane a row-major 32x32 grid; so ``row.reshape(3, 32, 32)`` is [C, H, W] and pixel (y, x) of
image i has RGB ``data[i, [y*32 + x, 1024 + y*32 + x, 2048 + y*32 + x]]``.

Otherwise, with ``download=True``, ``torchvision.datasets.CIFAR10(root, download=True)`` fetches
``cifar-10-python.tar.gz`` (163 MB, checked against its published MD5) and unpacks it into (1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import numpy as np
import torch

from ganbench.datasets._download import find_or_download, torchvision_download, unavailable_message
from ganbench.datasets._safe_pickle import RefusedGlobalError, load_array_pickle
from ganbench.datasets.spec import (
    CorruptDatasetError,
    Dataset,
    DatasetUnavailableError,
    ImageSet,
    default_data_root,
)
from ganbench.registry import DATASETS

PYTHON_FOLDER = "cifar-10-batches-py"
BINARY_FOLDER = "cifar-10-batches-bin"
#: split -> batch file names (the binary version adds ``.bin``).
BATCHES: dict[str, tuple[str, ...]] = {
    "train": tuple(f"data_batch_{i}" for i in range(1, 6)),
    "test": ("test_batch",),
}
IMAGE_SHAPE = (3, 32, 32)
PIXELS = 3 * 32 * 32
NUM_CLASSES = 10
ARCHIVE_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"

Batch = tuple[np.ndarray, np.ndarray]  # uint8 [n, 3, 32, 32], int64 [n]


def _fix(path: Path) -> str:
    return (
        f"delete {path.parent} and get CIFAR-10 again (download=True, or unpack cifar-10-python.tar.gz "
        f"into {path.parent.parent})"
    )


def _checked(path: Path, data: np.ndarray, labels: np.ndarray) -> Batch:
    """``data`` uint8 [n, 3072] and ``labels`` [n] in 0..9 as images [n, 3, 32, 32] and int64 labels."""
    if len(data) == 0:
        raise CorruptDatasetError(f"{path} holds no images; {_fix(path)}")
    if len(labels) != len(data):
        raise CorruptDatasetError(f"{path} holds {len(data)} images but {len(labels)} labels; {_fix(path)}")
    if labels.min() < 0 or labels.max() >= NUM_CLASSES:
        bad = int(labels.max() if labels.max() >= NUM_CLASSES else labels.min())
        raise CorruptDatasetError(f"{path} has label {bad}, expected 0..{NUM_CLASSES - 1}; {_fix(path)}")
    return np.ascontiguousarray(data.reshape(-1, *IMAGE_SHAPE)), labels.astype(np.int64)


def read_python_batch(path: Path) -> Batch:
    """One batch of the python version: images uint8 [n, 3, 32, 32] and labels int64 [n].

    Raises:
        CorruptDatasetError: the file names a callable other than numpy's array builders (refused, not
            run), is truncated or damaged, or its dict lacks ``data`` / ``labels`` of the right shapes.
    """
    try:
        batch = load_array_pickle(path)
    except RefusedGlobalError as err:
        raise CorruptDatasetError(
            f"{path} was refused: it asks the unpickler for {err.module}.{err.name}, and a CIFAR-10 batch "
            "needs nothing but numpy arrays and lists, so it is not one (it may be malicious; nothing in it "
            f"was run); {_fix(path)}"
        ) from None
    except Exception as err:  # every way a damaged or truncated pickle fails
        raise CorruptDatasetError(
            f"{path} cannot be read as a CIFAR-10 batch ({type(err).__name__}: {err}): it is truncated or "
            f"damaged; {_fix(path)}"
        ) from None
    if not isinstance(batch, dict):
        raise CorruptDatasetError(
            f"{path} holds a {type(batch).__name__}, not a CIFAR-10 batch dict; {_fix(path)}"
        )
    entries = {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    data, labels = entries.get("data"), entries.get("labels")
    if (
        not isinstance(data, np.ndarray)
        or data.dtype != np.uint8
        or data.ndim != 2
        or data.shape[1] != PIXELS
    ):
        what = f"{data.dtype} {data.shape}" if isinstance(data, np.ndarray) else type(data).__name__
        raise CorruptDatasetError(
            f"{path}: its 'data' is {what}, expected a uint8 array [N, {PIXELS}]; {_fix(path)}"
        )
    try:
        label_array = np.asarray(labels, dtype=np.int64)
    except (TypeError, ValueError, OverflowError):
        label_array = np.empty((0, 0))
    if labels is None or label_array.ndim != 1:
        raise CorruptDatasetError(f"{path}: its 'labels' is not a list of integers; {_fix(path)}")
    return _checked(path, data, label_array)


def read_binary_batch(path: Path) -> Batch:
    """One batch of the binary version: images uint8 [n, 3, 32, 32] and labels int64 [n].

    Raises:
        CorruptDatasetError: the file is not a whole, non-zero number of 3,073-byte records, or a label
            byte is outside 0..9.
    """
    raw = path.read_bytes()
    record = 1 + PIXELS
    if not raw or len(raw) % record:
        raise CorruptDatasetError(
            f"{path} holds {len(raw):,} bytes, not a whole number of {record:,}-byte records (1 label byte + "
            f"{PIXELS:,} pixel bytes): it is truncated or damaged; {_fix(path)}"
        )
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(-1, record)
    return _checked(path, rows[:, 1:], rows[:, 0])


#: folder name -> (file suffix, batch reader), in search order.
LAYOUTS: dict[str, tuple[str, Callable[[Path], Batch]]] = {
    PYTHON_FOLDER: ("", read_python_batch),
    BINARY_FOLDER: (".bin", read_binary_batch),
}


def find_batches(folders: Sequence[Path]) -> tuple[dict[str, list[Path]], Callable[[Path], Batch]] | None:
    """The batch files of each split, and their reader, from the first folder holding all six; else None."""
    for folder in folders:
        suffix, reader = LAYOUTS[folder.name]
        files = {split: [folder / f"{name}{suffix}" for name in names] for split, names in BATCHES.items()}
        if all(path.is_file() for paths in files.values() for path in paths):
            return files, reader
    return None


def _read_split(paths: list[Path], reader: Callable[[Path], Batch]) -> ImageSet:
    batches = [reader(path) for path in paths]
    images = np.concatenate([images for images, _ in batches])
    labels = np.concatenate([labels for _, labels in batches])
    return ImageSet(images=torch.from_numpy(images), labels=torch.from_numpy(labels))


@DATASETS.register("cifar10")
def cifar10(root: str | Path | None = None, *, download: bool = True) -> Dataset:
    """Load CIFAR-10 from the first folder that has it (see the module docstring), else download it.

    Args:
        root: data root; default `default_data_root()` (``$GANBENCH_DATA`` or ``~/.cache/ganbench/data``).
        download: fetch the python version with torchvision when no folder has the files.

    Returns:
        ``train``: uint8 [50000, 3, 32, 32] with int64 labels [50000]; ``test``: [10000, 3, 32, 32] and
        [10000] (for the official files); ``num_classes`` 10; ``source`` the folder read.

    Raises:
        DatasetUnavailableError: files missing and not downloadable; the message lists the folders tried
            and how to get the data offline.
        CorruptDatasetError: a file is damaged, truncated or not a CIFAR-10 batch; the message names it.
    """
    root = Path(root).expanduser() if root is not None else default_data_root()
    folders = [root / PYTHON_FOLDER, root / BINARY_FOLDER]
    fetch = partial(torchvision_download, "CIFAR10", root, made=()) if download else None
    found, download_error = find_or_download(lambda: find_batches(folders), fetch)
    if found is None:
        names = ", ".join(BATCHES["train"] + BATCHES["test"])
        raise DatasetUnavailableError(
            unavailable_message(
                "cifar10",
                f"the six CIFAR-10 batch files ({names}; with .bin in the binary version)",
                folders,
                fetch,
                download_error,
                [
                    f"run once with network access and download=True: torchvision downloads "
                    f"cifar-10-python.tar.gz (163 MB, MD5-checked) and unpacks it into {folders[0]}",
                    f"or, offline: fetch {ARCHIVE_URL} on another machine, copy it here and run "
                    f"`tar -xzf cifar-10-python.tar.gz -C {root}` (it makes {folders[0]})",
                    "or unpack the binary version, cifar-10-binary.tar.gz, the same way "
                    f"(it makes {folders[1]})",
                ],
            )
        )
    files, reader = found
    return Dataset(
        name="cifar10",
        train=_read_split(files["train"], reader),
        test=_read_split(files["test"], reader),
        num_classes=NUM_CLASSES,
        source=str(files["train"][0].parent),
    )
