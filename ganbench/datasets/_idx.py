"""Read and write IDX files, the format of MNIST and Fashion-MNIST, plain or gzipped.

An IDX file is a header followed by a dense big-endian array:

- bytes 0-1: zero;
- byte 2: dtype code (``0x08`` uint8, ``0x09`` int8, ``0x0B`` int16, ``0x0C`` int32, ``0x0D`` float32,
  ``0x0E`` float64);
- byte 3: number of dimensions ``d``;
- then ``d`` big-endian uint32 sizes, then ``prod(sizes)`` items in C order.

So MNIST images start with the magic number ``0x00000803`` (uint8, 3 dims: N, 28, 28) and labels with
``0x00000801`` (uint8, 1 dim: N). Files whose name ends in ``.gz`` are gunzipped on the fly.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

from ganbench.datasets.spec import CorruptDatasetError

# IDX dtype code -> numpy dtype (big-endian, as stored).
_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES: dict[str, int] = {dt.str[1:]: code for code, dt in _DTYPES.items()}

_REPAIR_HINT = (
    "delete the file and download it again (or reinstall the Debian package it came from, "
    "e.g. `apt-get install --reinstall dataset-fashion-mnist`)"
)


def _corrupt(path: Path, problem: str) -> CorruptDatasetError:
    return CorruptDatasetError(f"{path} is not a valid IDX file: {problem}; {_REPAIR_HINT}")


def _read_bytes(path: Path) -> bytes:
    if path.name.endswith(".gz"):
        try:
            with gzip.open(path, "rb") as f:
                return f.read()
        except (OSError, EOFError, zlib.error) as e:  # gzip.BadGzipFile is an OSError
            raise _corrupt(path, f"cannot gunzip it ({e})") from e
    return path.read_bytes()


def read_idx(path: str | Path, *, dtype: np.dtype | str | None = None, ndim: int | None = None) -> np.ndarray:
    """Read one IDX file (``.gz`` ones are decompressed).

    Args:
        path: the file.
        dtype: if given, the element type the file must hold (e.g. ``"u1"`` for uint8).
        ndim: if given, the number of dimensions the file must declare.

    Returns:
        A writable array in native byte order, shape as declared in the header (e.g. uint8 [N, 28, 28]
        for MNIST images, uint8 [N] for labels).

    Raises:
        FileNotFoundError: the file does not exist.
        CorruptDatasetError: bad magic number, unknown dtype code, unexpected dtype or ndim, or a payload
            whose size disagrees with the declared dims (truncated or trailing data). The message names
            the path and says to delete and re-download the file.
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise _corrupt(path, f"it has {len(data)} bytes, fewer than the 4-byte magic number")
    zero, code, nd = struct.unpack(">HBB", data[:4])
    if zero != 0:
        raise _corrupt(path, f"bad magic number 0x{data[:4].hex()} (must start with two zero bytes)")
    if code not in _DTYPES:
        raise _corrupt(path, f"unknown dtype code 0x{code:02x} in magic number 0x{data[:4].hex()}")
    item = _DTYPES[code]
    if dtype is not None and np.dtype(dtype).newbyteorder("=") != item.newbyteorder("="):
        raise _corrupt(
            path, f"it holds {item.name} data (code 0x{code:02x}), expected {np.dtype(dtype).name}"
        )
    if ndim is not None and nd != ndim:
        raise _corrupt(path, f"it declares {nd} dimensions, expected {ndim}")
    header = 4 + 4 * nd
    if len(data) < header:
        raise _corrupt(path, f"it ends inside the header ({len(data)} bytes, header needs {header})")
    dims = struct.unpack(f">{nd}I", data[4:header])
    expected = int(np.prod(dims, dtype=np.int64)) * item.itemsize
    actual = len(data) - header
    if actual != expected:
        what = "truncated" if actual < expected else "has trailing bytes"
        raise _corrupt(
            path, f"{what}: dims {tuple(dims)} of {item.name} need {expected} data bytes, found {actual}"
        )
    arr = np.frombuffer(data, dtype=item, count=int(np.prod(dims, dtype=np.int64)), offset=header)
    return arr.reshape(dims).astype(item.newbyteorder("="), copy=True)


def write_idx(path: str | Path, array: np.ndarray) -> Path:
    """Write ``array`` as an IDX file (gzipped when ``path`` ends in ``.gz``); the inverse of `read_idx`.

    Args:
        path: destination; parent folders are created.
        array: any shape, dtype one of uint8, int8, int16, int32, float32, float64.

    Returns:
        The path written.
    """
    path = Path(path)
    array = np.asarray(array)
    key = array.dtype.str[1:]
    if key not in _CODES:
        raise ValueError(
            f"IDX cannot store dtype {array.dtype}; use one of uint8, int8, int16, int32, float32, float64"
        )
    if array.ndim > 255:
        raise ValueError(f"IDX stores at most 255 dimensions, got {array.ndim}")
    code = _CODES[key]
    header = struct.pack(">HBB", 0, code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + np.ascontiguousarray(array, dtype=_DTYPES[code]).tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.name.endswith(".gz"):
        with gzip.open(path, "wb") as f:
            f.write(payload)
    else:
        path.write_bytes(payload)
    return path
