"""A ``.npy`` / ``.npz`` file of images as an image source.

Files are read with ``allow_pickle=False`` always: an array of Python objects would need
unpickling, which can run arbitrary code, and is refused.

- Array: in an ``.npz``, ``array_key`` when given, else its only array, else the first of
  :data:`IMAGE_KEYS` present. Labels: an ``.npz`` array named in :data:`LABEL_KEYS`, integer [N].
- Layouts (:data:`LAYOUTS`): [N, H, W] (greyscale), [N, H, W, C] or [N, C, H, W] with C in {1, 3};
  a shape that fits both 4-D layouts (e.g. [N, 3, H, 3]) is refused as ambiguous.
- Values: uint8 as they are; other integer dtypes only when every value is in 0..255; floats
  (float16/32/64) only with a declared range (``0,1`` or ``-1,1``, see
  :mod:`~ganbench.sources.value_range`), checked and converted to uint8.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ganbench.sources.spec import LoadedSet, Role, SourceError, SourceSpec, option
from ganbench.sources.subset import take_stored
from ganbench.sources.value_range import check_values, float_to_uint8

IMAGE_KEYS = ("images", "x", "arr_0", "samples")
LABEL_KEYS = ("labels", "y")
LAYOUTS = "[N, H, W] (greyscale), [N, H, W, C] or [N, C, H, W] with C in {1, 3}"
_CHANNELS = (1, 3)


@dataclass(frozen=True)
class ArrayHeader:
    """What a stored array is, read from its header only: ``shape`` and ``dtype``."""

    shape: tuple[int, ...]
    dtype: np.dtype


def image_layout(text: str, shape: tuple[int, ...]) -> str:
    """``"NHW"``, ``"NHWC"`` or ``"NCHW"`` for an image array of ``shape``; else :class:`SourceError`."""
    if len(shape) == 3 and min(shape) > 0:
        return "NHW"
    if len(shape) == 4 and min(shape) > 0:
        first, last = shape[1] in _CHANNELS, shape[3] in _CHANNELS
        if first and last:
            raise SourceError(
                f"{text}: shape {list(shape)} is ambiguous (axis 1 and axis 3 could both be channels); "
                f"accepted layouts: {LAYOUTS}; store it unambiguously, e.g. NHWC with images larger than 3x3"
            )
        if first or last:
            return "NCHW" if first else "NHWC"
    raise SourceError(
        f"{text}: an image array of shape {list(shape)} is not a layout ganbench reads; "
        f"accepted layouts: {LAYOUTS}"
    )


def _header_from(file: object) -> ArrayHeader:
    version = np.lib.format.read_magic(file)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(file)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(file)
    else:
        raise ValueError(f"unsupported .npy format version {version}")
    return ArrayHeader(tuple(shape), np.dtype(dtype))


def read_headers(text: str, path: Path) -> dict[str, ArrayHeader]:
    """The arrays of an ``.npy`` (key ``""``) or ``.npz`` file, from their headers; no data is read.

    Raises:
        SourceError: the file is not a readable numpy file.
    """
    try:
        if path.suffix.lower() == ".npy":
            with open(path, "rb") as f:
                return {"": _header_from(f)}
        headers = {}
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith(".npy"):
                    with archive.open(name) as f:
                        headers[name[: -len(".npy")]] = _header_from(f)
        return headers
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as err:
        raise SourceError(
            f"{text}: {path} cannot be read as a numpy {path.suffix} file ({type(err).__name__}: {err}); "
            "write it with numpy.save or numpy.savez"
        ) from err


def _no_objects(text: str, key: str, header: ArrayHeader) -> None:
    if header.dtype.hasobject:
        where = f" array {key!r}" if key else ""
        raise SourceError(
            f"{text}:{where} holds Python objects (dtype {header.dtype}), which only unpickling could read, "
            "and ganbench never unpickles a file (it can run code); save a numeric array instead, "
            "e.g. numpy.save(path, images.astype(numpy.uint8))"
        )


@dataclass(frozen=True, kw_only=True)
class ArraySource(SourceSpec):
    """An image array in a ``.npy`` / ``.npz`` file (see the module docstring).

    Attributes:
        path: the file, absolute.
        key: the images' array in an ``.npz`` (``""`` for an ``.npy``).
        labels_key: the labels' array in an ``.npz``, or None.
        header: shape and dtype of the images' array.
        layout: ``NHW``, ``NHWC`` or ``NCHW``.
        value_range: the declared range of a float array (``0,1`` or ``-1,1``), else None.
    """

    path: Path
    key: str
    labels_key: str | None
    header: ArrayHeader
    layout: str
    value_range: str | None

    def describe(self) -> str:
        key = f" key {self.key}" if self.key else ""
        return f"array {self.path}{key} ({self.header.dtype} {self.layout} {list(self.header.shape)})"

    def _read(self, n: int | None, seed: int) -> tuple[np.ndarray, torch.Tensor | None, str]:
        """The images (raw dtype and layout) and labels of the seeded subset, and the subset phrase."""
        try:
            if not self.key:
                data = np.load(self.path, mmap_mode="r", allow_pickle=False)  # rows read on demand
                labels = None
            else:
                with np.load(self.path, allow_pickle=False) as archive:
                    data = archive[self.key]
                    labels = archive[self.labels_key] if self.labels_key else None
        except (OSError, ValueError, zipfile.BadZipFile, EOFError) as err:
            raise SourceError(
                f"{self.text}: {self.path} cannot be read ({type(err).__name__}: {err})"
            ) from err
        label_tensor = None
        if labels is not None:
            if labels.min(initial=0) < 0:
                raise SourceError(
                    f"{self.text}: labels array {self.labels_key!r} holds negative values "
                    f"(min {labels.min()}); "
                    "class labels are 0, 1, ..., num_classes - 1"
                )
            label_tensor = torch.from_numpy(labels.astype(np.int64))
        rows, label_tensor, taken = take_stored(self.text, torch.arange(len(data)), label_tensor, n, seed)
        if len(rows) < len(data):
            return data[rows.numpy()], label_tensor, taken  # a copy; from the memory map, only these rows
        # an .npy: copied out of the memory map; an .npz array is already in memory
        return (data if self.key else np.array(data)), label_tensor, taken

    def load(self, *, n: int | None, seed: int, device: torch.device, progress: bool) -> list[LoadedSet]:
        """Read the array (rows of the seeded subset of ``n``), check its values and convert to uint8 NCHW."""
        del device, progress
        raw, labels, taken = self._read(n, seed)
        if self.layout == "NHW":
            raw = raw[:, None]
        elif self.layout == "NHWC":
            raw = raw.transpose(0, 3, 1, 2)
        values = torch.from_numpy(np.ascontiguousarray(raw))
        what = f"{self.text}{f' array {self.key!r}' if self.key else ''}"
        kind = self.header.dtype.kind
        if kind == "f":
            assert self.value_range is not None  # parse_array refuses a float array without one
            check_values(values, self.value_range, what=what)
            images = float_to_uint8(values, self.value_range)
            values_note = f"{self.header.dtype} {self.layout}, range {self.value_range}"
        elif self.header.dtype == np.uint8:
            images, values_note = values, f"uint8 {self.layout}"
        else:
            low, high = int(values.min()), int(values.max())
            if low < 0 or high > 255:
                raise SourceError(
                    f"{what}: integer ({self.header.dtype}) values span {low}..{high}; "
                    "an integer image array must hold 0..255 (store uint8, or floats with a declared range)"
                )
            images, values_note = values.to(torch.uint8), f"{self.header.dtype} {self.layout}, values 0..255"
        key = f" key {self.key}" if self.key else ""
        from_labels = f", labels from key {self.labels_key}" if self.labels_key else ""
        return [
            LoadedSet(
                label=self.path.stem,
                images=images,
                labels=labels,
                num_classes=None if labels is None else int(labels.max()) + 1,
                source=f"array {self.path}{key} ({values_note}{from_labels}; {taken})",
            )
        ]


def _choose_key(text: str, headers: dict[str, ArrayHeader], array_key: str | None, role: Role) -> str:
    keys = list(headers)
    if array_key is not None:
        if array_key not in headers:
            raise SourceError(
                f"{text}: {option('array_key', role)} {array_key!r} is not an array of the file; "
                f"its arrays: {', '.join(keys) or '(none)'}"
            )
        return array_key
    if len(keys) == 1:
        return keys[0]
    for key in IMAGE_KEYS:
        if key in headers:
            return key
    raise SourceError(
        f"{text}: the file holds {len(keys)} arrays ({', '.join(keys) or 'none'}) and none is named "
        f"{', '.join(IMAGE_KEYS)}; say which holds the images with {option('array_key', role)} NAME"
    )


def _labels_key(text: str, headers: dict[str, ArrayHeader], images_key: str) -> str | None:
    n = headers[images_key].shape[0]
    for key in LABEL_KEYS:
        if key in headers and key != images_key:
            header = headers[key]
            _no_objects(text, key, header)
            if header.dtype.kind not in "iu" or header.shape != (n,):
                raise SourceError(
                    f"{text}: array {key!r} ({header.dtype} {list(header.shape)}) is read as class labels "
                    f"and must be integers [N] = [{n}], one per image; fix it, or store it under another name"
                )
            return key
    return None


def parse_array(
    text: str, path: Path, *, role: Role, array_key: str | None, value_range: str | None
) -> ArraySource:
    """Check an ``.npy`` / ``.npz`` file from its headers: the array, its layout, its dtype and the range.

    Raises:
        SourceError: unreadable file, missing or unknown key, object arrays, an unknown layout, a
            float array without a declared range, a range declared for integers.
    """
    path = path.resolve()
    npz = path.suffix.lower() == ".npz"
    if array_key is not None and not npz:
        raise SourceError(
            f"{text}: {option('array_key', role)} names an array inside an .npz file; an .npy file "
            f"holds one array, so drop {option('array_key', role)}"
        )
    headers = read_headers(text, path)
    key = _choose_key(text, headers, array_key, role) if npz else ""
    header = headers[key]
    _no_objects(text, key, header)
    layout = image_layout(text, header.shape)
    kind = header.dtype.kind
    range_option = option("value_range", role)
    if kind == "f":
        if header.dtype.itemsize not in (2, 4, 8):
            raise SourceError(
                f"{text}: float dtype {header.dtype} is not read; store float16, float32 or float64"
            )
        if value_range is None:
            raise SourceError(
                f"{text}: a {header.dtype} image array has no range of its own; declare it: "
                f"pass {range_option} 0,1 or {range_option} -1,1"
            )
    elif kind in "iu":
        if value_range is not None:
            raise SourceError(
                f"{text}: {range_option} declares the range of float images, but the array is "
                f"{header.dtype} (read as 0..255); drop {range_option}"
            )
    else:
        raise SourceError(
            f"{text}: dtype {header.dtype} is not an image dtype; store uint8 (0..255) or floats with a "
            "declared range"
        )
    labels_key = _labels_key(text, headers, key) if npz else None
    return ArraySource(
        kind="array",
        text=text,
        role=role,
        path=path,
        key=key,
        labels_key=labels_key,
        header=header,
        layout=layout,
        value_range=value_range,
    )
