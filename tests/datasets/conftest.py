"""Shared fixtures for the dataset tests: tiny IDX datasets written into a temporary folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from ganbench.datasets._idx import write_idx
from ganbench.datasets._idx_dataset import IDX_FILES

TinyArrays = dict[str, np.ndarray]


def write_tiny_idx_dataset(
    folder: Path, *, n_train: int = 12, n_test: int = 5, gz: bool = False, seed: int = 0
) -> TinyArrays:
    """Write the four MNIST-named IDX files with random uint8 28x28 images and labels 0..9.

    Returns:
        ``{"train_images": uint8 [n_train, 28, 28], "train_labels": uint8 [n_train],
        "test_images": ..., "test_labels": ...}``
    """
    rng = np.random.default_rng(seed)
    arrays: TinyArrays = {}
    for split, n in (("train", n_train), ("test", n_test)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = (np.arange(n) % 10).astype(np.uint8)
        img_name, lab_name = IDX_FILES[split]
        suffix = ".gz" if gz else ""
        write_idx(folder / f"{img_name}{suffix}", images)
        write_idx(folder / f"{lab_name}{suffix}", labels)
        arrays[f"{split}_images"], arrays[f"{split}_labels"] = images, labels
    return arrays


@pytest.fixture
def tiny_idx_dataset() -> Callable[..., TinyArrays]:
    """`write_tiny_idx_dataset`, as a fixture so test modules need not import conftest."""
    return write_tiny_idx_dataset


@pytest.fixture
def fake_torchvision(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, bool], list[float | None]]:
    """Replace ``torchvision.datasets.<name>`` by a fake; returns the socket timeouts seen by its calls.

    ``install(name, succeed)``: the fake writes tiny IDX files into ``<root>/<name>/raw`` (as torchvision
    does) when ``succeed``, else raises RuntimeError like torchvision offline.
    """
    import socket

    import torchvision.datasets

    def install(name: str, succeed: bool) -> list[float | None]:
        timeouts: list[float | None] = []

        class FakeDataset:
            def __init__(self, root: str, train: bool = True, download: bool = False) -> None:
                timeouts.append(socket.getdefaulttimeout())
                raw = Path(root) / name / "raw"
                raw.mkdir(parents=True, exist_ok=True)
                if not succeed:
                    raise RuntimeError("Error downloading train-images-idx3-ubyte.gz: no network (fake)")
                write_tiny_idx_dataset(raw, gz=True)

        monkeypatch.setattr(torchvision.datasets, name, FakeDataset)
        return timeouts

    return install
