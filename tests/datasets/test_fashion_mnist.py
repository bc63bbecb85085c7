"""Fashion-MNIST factory: the three folders searched, the download, the real Debian package."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

from ganbench.datasets import DatasetUnavailableError
from ganbench.datasets import fashion_mnist as fm_module
from ganbench.registry import DATASETS

REAL_DEBIAN_DIR = fm_module.DEBIAN_DIR


@pytest.fixture
def debian_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for /usr/share/datasets/fashion-mnist, so tests do not depend on the machine."""
    fake = tmp_path / "usr-share-datasets" / "fashion-mnist"
    monkeypatch.setattr(fm_module, "DEBIAN_DIR", fake)
    return fake


def test_registered() -> None:
    assert DATASETS["fashion-mnist"] is fm_module.fashion_mnist


@pytest.mark.parametrize(
    ("sub", "gz"), [("FashionMNIST/raw", False), ("fashion-mnist", True)], ids=["torchvision", "upstream"]
)
def test_loads_from_root(
    tmp_path: Path, debian_dir: Path, tiny_idx_dataset: Callable[..., dict], sub: str, gz: bool
) -> None:
    root = tmp_path / "data"
    arrays = tiny_idx_dataset(root / sub, n_train=7, n_test=3, gz=gz)
    ds = fm_module.fashion_mnist(root, download=False)
    assert ds.name == "fashion-mnist" and ds.num_classes == 10 and ds.source == str(root / sub)
    assert ds.train.images.shape == (7, 1, 28, 28) and ds.train.images.dtype == torch.uint8
    assert ds.test.labels.shape == (3,) and ds.test.labels.dtype == torch.int64
    np.testing.assert_array_equal(ds.test.images[:, 0].numpy(), arrays["test_images"])


def test_loads_debian_layout(tmp_path: Path, debian_dir: Path, tiny_idx_dataset: Callable[..., dict]) -> None:
    tiny_idx_dataset(debian_dir, gz=True)  # the package ships the four files gzipped, flat
    ds = fm_module.fashion_mnist(tmp_path / "empty-root", download=True)  # found: no download attempted
    assert ds.source == str(debian_dir) and len(ds.train) == 12


def test_search_order(tmp_path: Path, debian_dir: Path, tiny_idx_dataset: Callable[..., dict]) -> None:
    root = tmp_path / "data"
    tiny_idx_dataset(debian_dir, gz=True)
    tiny_idx_dataset(root / "fashion-mnist")
    assert fm_module.fashion_mnist(root, download=False).source == str(root / "fashion-mnist")
    tiny_idx_dataset(root / "FashionMNIST" / "raw")
    assert fm_module.fashion_mnist(root, download=False).source == str(root / "FashionMNIST" / "raw")


def test_missing_lists_folders_and_apt(tmp_path: Path, debian_dir: Path) -> None:
    with pytest.raises(DatasetUnavailableError) as info:
        fm_module.fashion_mnist(tmp_path, download=False)
    message = str(info.value)
    for folder in (tmp_path / "FashionMNIST" / "raw", tmp_path / "fashion-mnist", debian_dir):
        assert str(folder) in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "$GANBENCH_DATA" in message


def test_download_goes_to_torchvision_layout(
    tmp_path: Path, debian_dir: Path, fake_torchvision: Callable[[str, bool], list]
) -> None:
    fake_torchvision("FashionMNIST", True)
    ds = fm_module.fashion_mnist(tmp_path, download=True)
    assert ds.source == str(tmp_path / "FashionMNIST" / "raw")


def test_download_failure(
    tmp_path: Path, debian_dir: Path, fake_torchvision: Callable[[str, bool], list]
) -> None:
    fake_torchvision("FashionMNIST", False)
    with pytest.raises(DatasetUnavailableError, match="Downloading failed: RuntimeError"):
        fm_module.fashion_mnist(tmp_path, download=True)


@pytest.mark.slow
@pytest.mark.skipif(
    not REAL_DEBIAN_DIR.is_dir(),
    reason=f"{REAL_DEBIAN_DIR} absent (apt-get install dataset-fashion-mnist to run this test)",
)
def test_real_debian_package(tmp_path: Path) -> None:
    ds = fm_module.fashion_mnist(tmp_path, download=False)
    assert ds.source == str(REAL_DEBIAN_DIR)
    assert ds.train.images.shape == (60000, 1, 28, 28) and ds.test.images.shape == (10000, 1, 28, 28)
    assert torch.equal(torch.bincount(ds.train.labels), torch.full((10,), 6000))
    assert torch.equal(torch.bincount(ds.test.labels), torch.full((10,), 1000))
    assert int(ds.train.images.max()) == 255 and int(ds.train.images.min()) == 0
