"""MNIST factory: local files, missing files, damaged files, the bounded torchvision download."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

from ganbench.datasets import CorruptDatasetError, DatasetUnavailableError
from ganbench.datasets._download import DOWNLOAD_TIMEOUT_S
from ganbench.datasets._idx import write_idx
from ganbench.datasets._idx_dataset import load_idx_dataset
from ganbench.datasets.mnist import mnist
from ganbench.registry import DATASETS


def test_registered() -> None:
    assert DATASETS["mnist"] is mnist


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
def test_loads_tiny_files(tmp_path: Path, tiny_idx_dataset: Callable[..., dict], gz: bool) -> None:
    raw = tmp_path / "MNIST" / "raw"
    arrays = tiny_idx_dataset(raw, n_train=12, n_test=5, gz=gz)
    ds = mnist(tmp_path, download=False)
    assert ds.name == "mnist"
    assert ds.num_classes == 10
    assert ds.source == str(raw)
    assert (ds.channels, ds.image_size) == (1, 28)
    for split, n in (("train", 12), ("test", 5)):
        s = getattr(ds, split)
        assert s.images.shape == (n, 1, 28, 28) and s.images.dtype == torch.uint8
        assert s.labels.shape == (n,) and s.labels.dtype == torch.int64
        np.testing.assert_array_equal(s.images[:, 0].numpy(), arrays[f"{split}_images"])
        np.testing.assert_array_equal(s.labels.numpy(), arrays[f"{split}_labels"])


def test_plain_file_preferred_over_gz(tmp_path: Path, tiny_idx_dataset: Callable[..., dict]) -> None:
    raw = tmp_path / "MNIST" / "raw"
    tiny_idx_dataset(raw, n_train=3, gz=True, seed=1)
    plain = tiny_idx_dataset(raw, n_train=4, gz=False, seed=2)  # torchvision keeps both after extracting
    ds = mnist(str(tmp_path), download=False)
    np.testing.assert_array_equal(ds.train.images[:, 0].numpy(), plain["train_images"])


def test_default_root_is_ganbench_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_idx_dataset: Callable[..., dict]
) -> None:
    tiny_idx_dataset(tmp_path / "MNIST" / "raw")
    monkeypatch.setenv("GANBENCH_DATA", str(tmp_path))
    assert mnist(download=False).source == str(tmp_path / "MNIST" / "raw")


def test_missing_without_download(tmp_path: Path) -> None:
    with pytest.raises(DatasetUnavailableError) as info:
        mnist(tmp_path, download=False)
    message = str(info.value)
    assert str(tmp_path / "MNIST" / "raw") in message
    assert "train-images-idx3-ubyte" in message and "t10k-labels-idx1-ubyte" in message
    assert "download=False" in message
    assert "--data-root" in message and "$GANBENCH_DATA" in message
    assert "mnist-5k" in message
    assert isinstance(info.value, FileNotFoundError)
    assert not (tmp_path / "MNIST").exists()  # nothing was created


def test_incomplete_folder_is_missing(tmp_path: Path, tiny_idx_dataset: Callable[..., dict]) -> None:
    raw = tmp_path / "MNIST" / "raw"
    tiny_idx_dataset(raw)
    (raw / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DatasetUnavailableError, match="not available"):
        mnist(tmp_path, download=False)


def test_corrupt_file_names_path(tmp_path: Path, tiny_idx_dataset: Callable[..., dict]) -> None:
    raw = tmp_path / "MNIST" / "raw"
    tiny_idx_dataset(raw)
    bad = raw / "t10k-images-idx3-ubyte"
    bad.write_bytes(bad.read_bytes()[:-100])
    with pytest.raises(CorruptDatasetError, match="truncated") as info:
        mnist(tmp_path, download=False)
    assert str(bad) in str(info.value)


@pytest.mark.parametrize(
    ("name", "array", "match"),
    [
        ("train-labels-idx1-ubyte", np.zeros(11, np.uint8), "12 images but .* has 11 labels"),
        ("train-labels-idx1-ubyte", np.full(12, 10, np.uint8), "label 10, expected 0..9"),
        ("train-images-idx3-ubyte", np.zeros((12, 32, 32), np.uint8), r"size \(32, 32\)"),
        ("train-images-idx3-ubyte", np.zeros((12, 784), np.uint8), "declares 2 dimensions, expected 3"),
        ("train-labels-idx1-ubyte", np.zeros(12, np.int32), "holds int32 data"),
    ],
    ids=["count", "label-range", "image-size", "image-ndim", "label-dtype"],
)
def test_inconsistent_files(
    tmp_path: Path, tiny_idx_dataset: Callable[..., dict], name: str, array: np.ndarray, match: str
) -> None:
    raw = tmp_path / "MNIST" / "raw"
    tiny_idx_dataset(raw, n_train=12)
    write_idx(raw / name, array)
    with pytest.raises(CorruptDatasetError, match=match) as info:
        mnist(tmp_path, download=False)
    assert str(raw / name) in str(info.value)


def test_download_is_tried_once_then_files_are_read(
    tmp_path: Path, tiny_idx_dataset: Callable[..., dict]
) -> None:
    calls: list[int] = []
    ds = load_idx_dataset(
        name="demo",
        folders=[tmp_path / "a", tmp_path / "b"],
        download=lambda: calls.append(1) or tiny_idx_dataset(tmp_path / "b"),
    )
    assert calls == [1] and ds.source == str(tmp_path / "b") and ds.name == "demo"


def test_download_not_called_when_files_exist(tmp_path: Path, tiny_idx_dataset: Callable[..., dict]) -> None:
    tiny_idx_dataset(tmp_path)

    def fail() -> None:
        raise AssertionError("download must not run when the files are on disk")

    assert len(load_idx_dataset(name="demo", folders=[tmp_path], download=fail).train) == 12


def test_torchvision_download_success(tmp_path: Path, fake_torchvision: Callable[[str, bool], list]) -> None:
    import socket

    timeouts = fake_torchvision("MNIST", True)
    before = socket.getdefaulttimeout()
    ds = mnist(tmp_path, download=True)
    assert ds.source == str(tmp_path / "MNIST" / "raw") and len(ds.train) == 12 and len(ds.test) == 5
    assert timeouts == [DOWNLOAD_TIMEOUT_S]  # every socket op of the download is bounded ...
    assert socket.getdefaulttimeout() == before  # ... and the process default is restored


def test_torchvision_download_failure(tmp_path: Path, fake_torchvision: Callable[[str, bool], list]) -> None:
    fake_torchvision("MNIST", False)
    with pytest.raises(DatasetUnavailableError) as info:
        mnist(tmp_path, download=True)
    message = str(info.value)
    assert "Downloading failed: RuntimeError: Error downloading train-images-idx3-ubyte.gz" in message
    assert str(tmp_path / "MNIST" / "raw") in message and "mnist-5k" in message
    assert not (tmp_path / "MNIST").exists()  # the empty folders the failed download made are gone
