"""IDX reader/writer: round trips and every kind of damage."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from ganbench.datasets import CorruptDatasetError
from ganbench.datasets._idx import read_idx, write_idx


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize(
    "array",
    [
        np.arange(3 * 28 * 28, dtype=np.uint8).reshape(3, 28, 28),
        np.array([0, 9, 3, 255], dtype=np.uint8),
        np.arange(-6, 6, dtype=np.int32).reshape(2, 3, 2),
        np.linspace(-1, 1, 10, dtype=np.float32),
        np.array([[1.5, -2.25]], dtype=np.float64),
        np.array([-3, 4], dtype=np.int16),
        np.zeros((0, 28, 28), dtype=np.uint8),
    ],
    ids=["u8-images", "u8-labels", "i32", "f32", "f64", "i16", "empty"],
)
def test_round_trip(tmp_path: Path, array: np.ndarray, suffix: str) -> None:
    path = write_idx(tmp_path / f"x-idx{suffix}", array)
    back = read_idx(path)
    assert back.dtype == array.dtype.newbyteorder("=")
    assert back.shape == array.shape
    np.testing.assert_array_equal(back, array)
    back[...] = 0  # the result is a writable copy


def test_mnist_magic_numbers_and_big_endian_dims(tmp_path: Path) -> None:
    images = write_idx(tmp_path / "img", np.zeros((2, 28, 28), np.uint8)).read_bytes()
    labels = write_idx(tmp_path / "lab", np.zeros(300, np.uint8)).read_bytes()
    assert images[:4] == bytes.fromhex("00000803")
    assert images[4:16] == bytes.fromhex("00000002 0000001c 0000001c")
    assert labels[:8] == bytes.fromhex("00000801 0000012c")
    assert len(images) == 16 + 2 * 28 * 28


def test_gz_file_is_gzipped(tmp_path: Path) -> None:
    path = write_idx(tmp_path / "a.gz", np.ones(5, np.uint8))
    assert gzip.decompress(path.read_bytes())[:4] == bytes.fromhex("00000801")


def _valid_bytes() -> bytes:
    return bytes.fromhex("00000803 00000002 00000002 00000003") + bytes(range(12))


def _assert_corrupt(path: Path, match: str, **kwargs: object) -> None:
    with pytest.raises(CorruptDatasetError, match=match) as info:
        read_idx(path, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert str(path) in message
    assert "delete the file and download it again" in message


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize(
    ("data", "match"),
    [
        (bytes.fromhex("1f8b0803") + _valid_bytes()[4:], "bad magic number"),
        (bytes.fromhex("00000103") + _valid_bytes()[4:], "unknown dtype code 0x01"),
        (_valid_bytes()[:-1], "truncated"),
        (_valid_bytes() + b"\x00", "trailing bytes"),
        (_valid_bytes()[:4] + bytes.fromhex("00000003 00000002 00000003") + bytes(12), "truncated"),
        (_valid_bytes()[:4] + bytes.fromhex("00000001 00000002 00000003") + bytes(12), "trailing bytes"),
        (_valid_bytes()[:10], "ends inside the header"),
        (b"\x00\x00", "fewer than the 4-byte magic"),
        (b"", "fewer than the 4-byte magic"),
    ],
    ids=[
        "magic",
        "dtype-code",
        "truncated",
        "trailing",
        "dims-too-big",
        "dims-too-small",
        "header",
        "tiny",
        "empty",
    ],
)
def test_corrupt_files_raise_naming_the_path(tmp_path: Path, data: bytes, match: str, suffix: str) -> None:
    path = tmp_path / f"broken-idx3-ubyte{suffix}"
    path.write_bytes(gzip.compress(data) if suffix else data)
    _assert_corrupt(path, match)


def test_valid_bytes_helper_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "ok"
    path.write_bytes(_valid_bytes())
    np.testing.assert_array_equal(read_idx(path), np.arange(12, dtype=np.uint8).reshape(2, 2, 3))


def test_unexpected_dtype_or_ndim(tmp_path: Path) -> None:
    path = write_idx(tmp_path / "f", np.zeros((2, 3), np.float32))
    _assert_corrupt(path, "holds float32 data.*expected uint8", dtype="u1")
    _assert_corrupt(path, "declares 2 dimensions, expected 3", ndim=3)
    assert read_idx(path, dtype=np.float32, ndim=2).shape == (2, 3)


@pytest.mark.parametrize(
    "data", [b"not gzip at all", gzip.compress(_valid_bytes())[:-8]], ids=["not-gz", "cut-gz"]
)
def test_broken_gzip(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "x-idx3-ubyte.gz"
    path.write_bytes(data)
    _assert_corrupt(path, "cannot gunzip")


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nope")


def test_write_rejects_unsupported_dtype(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="IDX cannot store dtype int64"):
        write_idx(tmp_path / "x", np.zeros(3, np.int64))
