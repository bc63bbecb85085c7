"""CIFAR-10 factory: both distributions written in their real formats, pixel order, the refused pickle."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

from ganbench.datasets import CorruptDatasetError, DatasetUnavailableError
from ganbench.datasets import cifar10 as cifar_module
from ganbench.datasets.cifar10 import BATCHES, cifar10
from ganbench.registry import DATASETS

PER_BATCH = 3  # images per batch file: train 5 x 3, test 1 x 3


def _batches(seed: int = 0) -> dict[str, tuple[np.ndarray, list[int]]]:
    """file name -> (uint8 [PER_BATCH, 3072] rows, labels), different in every file."""
    rng = np.random.default_rng(seed)
    names = BATCHES["train"] + BATCHES["test"]
    return {
        name: (
            rng.integers(0, 256, size=(PER_BATCH, 3072), dtype=np.uint8),
            [int(v) for v in rng.integers(0, 10, size=PER_BATCH)],
        )
        for name in names
    }


def write_python_version(root: Path, seed: int = 0) -> dict[str, tuple[np.ndarray, list[int]]]:
    """``<root>/cifar-10-batches-py/``: dicts with bytes keys, as the real (Python 2) batches have."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    batches = _batches(seed)
    for name, (data, labels) in batches.items():
        content = {
            b"batch_label": name.encode(),
            b"labels": labels,
            b"data": data,
            b"filenames": [b"x.png"] * 3,
        }
        with open(folder / name, "wb") as f:
            pickle.dump(content, f)
    return batches


def write_binary_version(root: Path, seed: int = 0) -> dict[str, tuple[np.ndarray, list[int]]]:
    """``<root>/cifar-10-batches-bin/``: 3,073-byte records (label byte, then the pixels)."""
    folder = root / "cifar-10-batches-bin"
    folder.mkdir(parents=True)
    batches = _batches(seed)
    for name, (data, labels) in batches.items():
        records = np.concatenate([np.asarray(labels, dtype=np.uint8)[:, None], data], axis=1)
        (folder / f"{name}.bin").write_bytes(records.tobytes())
    return batches


def test_registered() -> None:
    assert DATASETS["cifar10"] is cifar10


@pytest.mark.parametrize("write", [write_python_version, write_binary_version], ids=["python", "binary"])
def test_loads_both_versions_with_splits_labels_and_shapes(tmp_path: Path, write) -> None:
    batches = write(tmp_path)
    ds = cifar10(tmp_path, download=False)
    assert ds.name == "cifar10" and ds.num_classes == 10 and (ds.channels, ds.image_size) == (3, 32)
    assert ds.train.images.shape == (15, 3, 32, 32) and ds.train.images.dtype == torch.uint8
    assert ds.test.images.shape == (3, 3, 32, 32) and ds.test.labels.dtype == torch.int64
    train_labels = [label for name in BATCHES["train"] for label in batches[name][1]]
    assert ds.train.labels.tolist() == train_labels and ds.test.labels.tolist() == batches["test_batch"][1]
    expected = np.concatenate([batches[name][0] for name in BATCHES["train"]]).reshape(-1, 3, 32, 32)
    np.testing.assert_array_equal(ds.train.images.numpy(), expected)
    assert ds.source == str(
        tmp_path / ("cifar-10-batches-py" if write is write_python_version else "cifar-10-batches-bin")
    )


def test_pixel_order_is_chw_planar(tmp_path: Path) -> None:
    """A known pixel's R, G, B sit 1,024 bytes apart in the row; it lands at [c, y, x]."""
    batches = write_python_version(tmp_path)
    data = batches["data_batch_2"][0]
    y, x = 5, 17
    data[1] = 0
    data[1, [y * 32 + x, 1024 + y * 32 + x, 2048 + y * 32 + x]] = (200, 100, 50)
    with open(tmp_path / "cifar-10-batches-py" / "data_batch_2", "wb") as f:
        pickle.dump({b"data": data, b"labels": batches["data_batch_2"][1]}, f)
    image = cifar10(tmp_path, download=False).train.images[PER_BATCH + 1]  # batch 2, image 1
    assert image[:, y, x].tolist() == [200, 100, 50]
    assert int(image.sum()) == 350  # nothing else lit: not transposed, not HWC


def test_python_version_is_preferred(tmp_path: Path) -> None:
    write_binary_version(tmp_path, seed=1)
    python = write_python_version(tmp_path, seed=2)
    ds = cifar10(tmp_path, download=False)
    assert ds.test.labels.tolist() == python["test_batch"][1] and ds.source.endswith("cifar-10-batches-py")


@pytest.mark.parametrize("protocol", [2, 5])
def test_str_keys_and_other_protocols_load(tmp_path: Path, protocol: int) -> None:
    """str keys too; protocol 2 spells bytes with _codecs.encode, protocol 5 arrays with _frombuffer."""
    batches = write_python_version(tmp_path)
    for name, (data, labels) in batches.items():
        with open(tmp_path / "cifar-10-batches-py" / name, "wb") as f:
            pickle.dump({"data": data, "labels": labels, "batch_label": b"x"}, f, protocol=protocol)
    assert len(cifar10(tmp_path, download=False).train) == 15


class _RunsCommand:
    """Unpickling this would run a shell command: what a malicious "batch" looks like."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_malicious_pickle_is_refused_without_running(tmp_path: Path) -> None:
    write_python_version(tmp_path)
    marker = tmp_path / "was-run"
    bad = tmp_path / "cifar-10-batches-py" / "data_batch_3"
    with open(bad, "wb") as f:
        pickle.dump({b"data": _RunsCommand(marker), b"labels": [0]}, f)
    with pytest.raises(CorruptDatasetError) as info:
        cifar10(tmp_path, download=False)
    message = str(info.value)
    assert str(bad) in message and "system" in message and "nothing in it was run" in message
    assert "delete" in message
    assert not marker.exists()


@pytest.mark.parametrize("write", [write_python_version, write_binary_version], ids=["python", "binary"])
def test_truncated_file_is_named(tmp_path: Path, write) -> None:
    write(tmp_path)
    folder = next(tmp_path.iterdir())
    bad = sorted(folder.iterdir())[0]
    bad.write_bytes(bad.read_bytes()[:-100])
    with pytest.raises(CorruptDatasetError, match="truncated or damaged") as info:
        cifar10(tmp_path, download=False)
    assert str(bad) in str(info.value) and "get CIFAR-10 again" in str(info.value)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ({b"data": np.zeros((3, 3072), np.float32), b"labels": [0, 1, 2]}, "expected a uint8 array"),
        ({b"data": np.zeros((3, 1024), np.uint8), b"labels": [0, 1, 2]}, "expected a uint8 array"),
        ({b"data": np.zeros((3, 3072), np.uint8), b"labels": [0, 1]}, "3 images but 2 labels"),
        ({b"data": np.zeros((3, 3072), np.uint8), b"labels": [0, 1, 10]}, "label 10"),
        ({b"data": np.zeros((3, 3072), np.uint8)}, "'labels' is not a list"),
        ([1, 2, 3], "not a CIFAR-10 batch dict"),
    ],
    ids=["float", "shape", "count", "label-range", "no-labels", "not-a-dict"],
)
def test_wrong_contents_are_named(tmp_path: Path, content: object, match: str) -> None:
    write_python_version(tmp_path)
    bad = tmp_path / "cifar-10-batches-py" / "test_batch"
    bad.write_bytes(pickle.dumps(content))
    with pytest.raises(CorruptDatasetError, match=match) as info:
        cifar10(tmp_path, download=False)
    assert str(bad) in str(info.value)


def test_binary_label_out_of_range(tmp_path: Path) -> None:
    write_binary_version(tmp_path)
    bad = tmp_path / "cifar-10-batches-bin" / "data_batch_1.bin"
    raw = bytearray(bad.read_bytes())
    raw[3073] = 12  # the second record's label byte
    bad.write_bytes(bytes(raw))
    with pytest.raises(CorruptDatasetError, match="label 12"):
        cifar10(tmp_path, download=False)


def test_missing_without_download_says_how_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(DatasetUnavailableError) as info:
        cifar10(tmp_path, download=False)
    message = str(info.value)
    for folder in ("cifar-10-batches-py", "cifar-10-batches-bin"):
        assert str(tmp_path / folder) in message
    assert "download=True" in message and "cifar-10-python.tar.gz" in message and "tar -xzf" in message
    assert "not allowed" in message


def test_incomplete_folder_is_missing(tmp_path: Path) -> None:
    write_python_version(tmp_path)
    (tmp_path / "cifar-10-batches-py" / "data_batch_5").unlink()
    with pytest.raises(DatasetUnavailableError):
        cifar10(tmp_path, download=False)


def test_download_goes_through_torchvision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import torchvision.datasets

    calls: list[tuple[str, bool]] = []

    class FakeCIFAR10:
        def __init__(self, root: str, train: bool = True, download: bool = False) -> None:
            calls.append((root, download))
            write_python_version(Path(root))

    monkeypatch.setattr(torchvision.datasets, "CIFAR10", FakeCIFAR10)
    ds = cifar10(tmp_path, download=True)
    assert calls == [(str(tmp_path), True)] and len(ds.train) == 15


def test_download_failure_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no network (test)")

    monkeypatch.setattr(cifar_module, "torchvision_download", offline)
    with pytest.raises(DatasetUnavailableError, match="Downloading failed: RuntimeError: no network"):
        cifar10(tmp_path, download=True)
