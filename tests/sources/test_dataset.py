"""Registered datasets as sources: splits, subsets, the real side's training split, unknown names."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from ganbench.datasets import Dataset
from ganbench.sources import SourceError, parse_source, subset_indices


def test_default_split_is_test_with_labels_and_on_the_real_side_the_training_split(
    mnist_5k: Dataset, load
) -> None:
    loaded = load("mnist-5k", role="real")
    assert torch.equal(loaded.images, mnist_5k.test.images)
    assert torch.equal(loaded.labels, mnist_5k.test.labels) and loaded.num_classes == 10
    assert loaded.train is not None and torch.equal(loaded.train.images, mnist_5k.train.images)
    assert loaded.label == "mnist-5k" and loaded.source == "dataset mnist-5k split test (1000 of 1000)"
    assert loaded.seed is None and loaded.generator is None


def test_split_and_subset(mnist_5k: Dataset, load) -> None:
    loaded = load("mnist-5k:train", n=100, seed=3)
    rows = subset_indices(len(mnist_5k.train), 100, 3)
    assert torch.equal(loaded.images, mnist_5k.train.images[rows])
    assert torch.equal(loaded.labels, mnist_5k.train.labels[rows])
    assert loaded.train is None  # only the real side carries it
    assert loaded.source == "dataset mnist-5k split train (100 of 4000, subset seed 3)"
    spec = parse_source("mnist-5k", role="real")
    with pytest.raises(SourceError, match="1001 images asked for, but it holds only 1000"):
        spec.load(n=1001, seed=0, device=torch.device("cpu"), progress=False)


def test_unknown_names_and_splits_are_refused_with_suggestions() -> None:
    with pytest.raises(
        SourceError, match=r"unknown dataset 'mnist-5kk'; did you mean 'mnist-5k'.*valid datasets: "
    ):
        parse_source("mnist-5kk", role="real")
    with pytest.raises(SourceError, match=r"mnst-5k:train: unknown dataset 'mnst-5k'"):
        parse_source("mnst-5k:train", role="real")
    with pytest.raises(SourceError, match=r"has no split 'tset'; did you mean 'test'.*write mnist-5k:test"):
        parse_source("mnist-5k:tset", role="real")
    with pytest.raises(SourceError, match="--real-range does not apply to a dataset"):
        parse_source("mnist-5k", role="real", value_range="0,1")


def test_a_dataset_and_an_array_of_the_same_content_hash_alike(
    mnist_5k: Dataset, tmp_path: Path, load
) -> None:
    np.savez(tmp_path / "same.npz", images=mnist_5k.test.images.numpy(), labels=mnist_5k.test.labels.numpy())
    from_array = load(str(tmp_path / "same.npz"))
    from_dataset = load("mnist-5k")
    assert from_array.sha256 == from_dataset.sha256
    np.savez(tmp_path / "unlabelled.npz", images=mnist_5k.test.images.numpy())
    assert load(str(tmp_path / "unlabelled.npz")).sha256 != from_dataset.sha256
