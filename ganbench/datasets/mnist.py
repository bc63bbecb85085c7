"""MNIST handwritten digits (LeCun, Cortes & Burges, 1998): 60,000 train / 10,000 test, 28x28 grey.

Files are read from torchvision's layout, ``<root>/MNIST/raw/`` holding ``train-images-idx3-ubyte``,
``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte`` (each plain or
``.gz``). When they are missing and ``download=True``, ``torchvision.datasets.MNIST`` fetches them into
that same folder; offline this fails within seconds (see `_download.torchvision_download`).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from ganbench.datasets._download import torchvision_download
from ganbench.datasets._idx_dataset import load_idx_dataset
from ganbench.datasets.spec import Dataset, default_data_root
from ganbench.registry import DATASETS


@DATASETS.register("mnist")
def mnist(root: str | Path | None = None, *, download: bool = True) -> Dataset:
    """Load MNIST from ``<root>/MNIST/raw/``, downloading it with torchvision if missing.

    Args:
        root: data root; default `default_data_root()` (``$GANBENCH_DATA`` or ``~/.cache/ganbench/data``).
        download: fetch the files when they are not on disk.

    Returns:
        ``train``: uint8 [60000, 1, 28, 28] with int64 labels [60000]; ``test``: [10000, 1, 28, 28] and
        [10000]; ``num_classes`` 10; ``source`` the folder read.

    Raises:
        DatasetUnavailableError: files missing and not downloadable; the message says how to get them.
        CorruptDatasetError: a file is damaged; the message names it.
    """
    root = Path(root).expanduser() if root is not None else default_data_root()
    raw = root / "MNIST" / "raw"
    return load_idx_dataset(
        name="mnist",
        folders=[raw],
        download=partial(torchvision_download, "MNIST", root) if download else None,
        how_to_get=[
            f"run once with network access and download=True: torchvision saves the files in {raw}",
            f"or copy the four IDX files (from another machine's {Path('MNIST', 'raw')}) into {raw}",
        ],
    )
