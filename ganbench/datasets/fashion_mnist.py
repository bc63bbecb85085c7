"""Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017, arXiv:1708.07747): 60,000 train / 10,000 test, 28x28 grey.

Zalando's article images in MNIST's IDX format and file names (``train-images-idx3-ubyte`` etc., each
plain or ``.gz``). Folders searched, first complete one wins:

1. ``<root>/FashionMNIST/raw/``: torchvision's layout, also where a download goes;
2. ``<root>/fashion-mnist/``: a copy of the upstream ``data/fashion`` folder;
3. ``/usr/share/datasets/fashion-mnist/``: Debian's package ``dataset-fashion-mnist``, which installs the
   four files gzipped (``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
   ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``) directly in that folder.

Otherwise, with ``download=True``, ``torchvision.datasets.FashionMNIST`` fetches them into (1).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from ganbench.datasets._download import torchvision_download
from ganbench.datasets._idx_dataset import load_idx_dataset
from ganbench.datasets.spec import Dataset, default_data_root
from ganbench.registry import DATASETS

#: Where Debian's ``dataset-fashion-mnist`` package installs the files.
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")


@DATASETS.register("fashion-mnist")
def fashion_mnist(root: str | Path | None = None, *, download: bool = True) -> Dataset:
    """Load Fashion-MNIST from the first folder that has it (see the module docstring), else download it.

    Args:
        root: data root; default `default_data_root()` (``$GANBENCH_DATA`` or ``~/.cache/ganbench/data``).
        download: fetch the files with torchvision when no folder has them.

    Returns:
        ``train``: uint8 [60000, 1, 28, 28] with int64 labels [60000]; ``test``: [10000, 1, 28, 28] and
        [10000]; ``num_classes`` 10; ``source`` the folder read.

    Raises:
        DatasetUnavailableError: files missing and not downloadable; the message lists the folders tried
            and how to get the data.
        CorruptDatasetError: a file is damaged; the message names it.
    """
    root = Path(root).expanduser() if root is not None else default_data_root()
    raw = root / "FashionMNIST" / "raw"
    return load_idx_dataset(
        name="fashion-mnist",
        folders=[raw, root / "fashion-mnist", DEBIAN_DIR],
        download=partial(torchvision_download, "FashionMNIST", root) if download else None,
        how_to_get=[
            "on Debian/Ubuntu: apt-get install dataset-fashion-mnist (installs into "
            f"{DEBIAN_DIR}, works offline afterwards)",
            f"or run once with network access and download=True: torchvision saves the files in {raw}",
            f"or copy the four IDX files (upstream's data/fashion folder) into {raw}",
        ],
    )
