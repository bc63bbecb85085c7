"""Any folder of PNG / JPEG images as a dataset: ``folder:PATH`` wherever a dataset name is accepted.

Spelling: ``folder:PATH[,size=N][,channels=rgb|grayscale]``, e.g. ``ganbench run --dataset
folder:~/data/faces,size=64``, ``dataset = "folder:/data/faces"`` in a TOML file or
``RunConfig(dataset=...)``. The options ride in the spelling, comma-separated (no shell quoting needed,
unlike ``?a=1&b=2``), so that one string says exactly which images were used: it is what run.json and
every record store (canonical: the absolute path, and only the options that differ from what the
defaults give), and a run folder can be reloaded from it alone.

- ``size``: the side of the square images, 28, 32 (default) or 64: the sizes the DCGAN-style networks
  are built for (`ganbench.networks.base_resolution`);
- ``channels``: ``rgb`` (3) or ``grayscale`` (1). Default: ``rgb`` if any image has colour (a
  three-channel image with a pixel whose R, G, B differ), else ``grayscale``.

Files: ``.png`` / ``.jpg`` / ``.jpeg`` at any depth, in sorted relative-path order, each read by
`ganbench.sources.folder.read_image` (grey ``L`` or ``RGB``; a palette, an opaque alpha channel or an
exactly widened 16-bit image converted without loss; transparent pixels refused: no background is
guessed). Any size and aspect ratio.

Resize protocol, one for every image, in this order:

1. channels: to ``grayscale`` by ITU-R BT.601 luma, Pillow's ``convert("L")`` (L = (299 R + 587 G +
   114 B) / 1000, rounded); to ``rgb`` by repeating the grey value in R, G and B. A colourless RGB image
   has R = G = B, so its luma is that value exactly: the default never changes a pixel here;
2. centre crop to the largest square: side s = min(W, H), left = (W - s) // 2, top = (H - s) // 2;
3. resize the cropped square to ``size`` x ``size`` with Pillow's bicubic filter (``Image.resize(...,
   Resampling.BICUBIC)``; no pixel outside the crop is read, as Pillow's ``box=`` argument would at the
   edges), which widens its kernel by the scale factor when shrinking, i.e.
   antialiases (Pillow 2.7 release notes); the resize that Parmar, Zhang & Zhu ("On Aliased Resizing
   and Surprising Subtleties in GAN Evaluation", CVPR 2022, arXiv:2104.11222) found to match an ideal
   low-pass resize, unlike the aliasing bilinear resizes of TensorFlow and PyTorch. A square image of
   the target size is left unchanged; smaller images are enlarged by the same filter. A constant
   colour stays exactly that colour.

Labels: when every image lies in a top-level subfolder (torchvision's ImageFolder layout), the
subfolders are the classes: named by non-negative integers (``0/ 1/ ...``), those are the labels
(`ganbench.sources.folder.folder_labels`, as ``ganbench evaluate`` reads such a folder); otherwise
index i goes to the i-th name in sorted order (ImageFolder's rule). Any image directly in the folder,
or a single subfolder: unlabelled, every label 0, ``num_classes`` 1.

Split: when ``PATH/train/`` and ``PATH/test/`` both exist, they are the training and held-out splits
(images elsewhere in PATH are not read; class subfolders are looked for inside each, with one class
numbering for both). Otherwise the held-out split is n_test = min(ceil(N / 10), 10,000) of the N
files, chosen by ``numpy.random.default_rng(0).permutation(N)`` over the sorted file list (its first
n_test entries held out, the rest train, both in that permuted order): deterministic from the file
names alone, never from the global RNG; adding or removing a file changes the split.

Nothing is cached: every load decodes and resizes the files again (a content-keyed cache would have to
read every file anyway).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from tqdm import tqdm

from ganbench.datasets.loading import FOLDER_PREFIX
from ganbench.datasets.spec import CorruptDatasetError, Dataset, DatasetNameError, ImageSet
from ganbench.sources.folder import (
    IMAGE_SUFFIXES,
    class_folders,
    folder_labels,
    image_files,
    read_image,
)
from ganbench.sources.spec import SourceError
from ganbench.spelling import did_you_mean

SIZES = (28, 32, 64)
DEFAULT_SIZE = 32
CHANNELS = {"rgb": 3, "grayscale": 1}
MIN_IMAGES = 10  # fewer cannot give a training split and a held-out one worth the name
PROBE_IMAGES = 3  # files read (from each split) by the early check
TEST_DENOMINATOR = 10  # a tenth held out ...
MAX_TEST = 10_000  # ... at most this many
SPLIT_SEED = 0
SPLIT_FOLDERS = ("train", "test")
#: How the spelling is written, for messages.
SYNTAX = "folder:PATH[,size=28|32|64][,channels=rgb|grayscale]"
_OPTION = re.compile(r"^([A-Za-z_]+)=(.*)$")
_PROGRESS_FROM = 500  # files; fewer are read without a progress bar


def _wrong(text: str, why: str) -> DatasetNameError:
    return DatasetNameError(f"dataset {text!r}: {why}; write {SYNTAX}, e.g. folder:~/data/faces,size=64")


@dataclass(frozen=True)
class FolderDataset:
    """A parsed ``folder:`` spelling; calling it loads the dataset (like a registered factory).

    Attributes:
        text: the spelling as given.
        path: the folder, absolute.
        size: the side of the images after the resize protocol.
        channels: ``rgb``, ``grayscale``, or None for the default (by colour).
    """

    text: str
    path: Path
    size: int = DEFAULT_SIZE
    channels: str | None = None

    @property
    def split_folders(self) -> dict[str, Path] | None:
        """``{"train": PATH/train, "test": PATH/test}`` when both exist, else None (a split is drawn)."""
        folders = {split: self.path / split for split in SPLIT_FOLDERS}
        return folders if all(folder.is_dir() for folder in folders.values()) else None

    def name(self, channels: str, coloured: bool) -> str:
        """The canonical spelling: the absolute path and the options that differ from what the defaults give.

        Args:
            channels: what the images were brought to.
            coloured: whether any image has colour (what the default ``channels`` follows).
        """
        options = [f"size={self.size}"] if self.size != DEFAULT_SIZE else []
        if channels != ("rgb" if coloured else "grayscale"):
            options.append(f"channels={channels}")
        return ",".join([f"{FOLDER_PREFIX}{self.path}", *options])

    def check(self) -> None:
        """The early check: PATH is a folder holding at least `MIN_IMAGES` image files, the first readable.

        Raises:
            DatasetNameError: what is wrong and how to fix it.
        """
        if not self.path.exists():
            parent = self.path.parent
            siblings = [p.name for p in parent.iterdir() if p.is_dir()] if parent.is_dir() else []
            raise _wrong(self.text, f"no such folder {self.path}{did_you_mean(self.path.name, siblings)}")
        if not self.path.is_dir():
            raise _wrong(self.text, f"{self.path} is a file, not a folder of images")
        found = self._files()
        total = sum(len(files) for files in found.values())
        for split, files in found.items():
            if not files:
                where = self.path / split if split in SPLIT_FOLDERS and self.split_folders else self.path
                raise _wrong(
                    self.text,
                    f"{where} holds no image files ({', '.join(IMAGE_SUFFIXES)}, at any depth); "
                    "point at a folder of PNG or JPEG images",
                )
        if total < MIN_IMAGES:
            raise _wrong(
                self.text,
                f"{self.path} holds only {total} image files; a dataset needs at least {MIN_IMAGES} "
                "(a training split and a held-out one)",
            )
        for files in found.values():
            for path in files[:PROBE_IMAGES]:
                try:
                    read_image(path)
                except SourceError as err:
                    raise DatasetNameError(f"dataset {self.text!r}: {err}") from None

    def _files(self) -> dict[str, list[Path]]:
        """Image files per split folder (``train``, ``test``), or all of them under ``all``."""
        folders = self.split_folders or {"all": self.path}
        return {split: image_files(folder) for split, folder in folders.items()}

    def __call__(self, root: str | Path | None = None, *, download: bool = True) -> Dataset:
        """Read, convert and resize every image, label and split them (see the module docstring).

        Args:
            root, download: accepted for a uniform factory signature and ignored: the path is the data.

        Returns:
            ``train`` and ``test``: uint8 [N, C, size, size] (C 3 for rgb, 1 for grayscale) with int64
            labels [N]; ``num_classes`` (1 when unlabelled); ``name`` the canonical spelling; ``source``
            the folder, the file formats, the protocol, the split and the classes, in words.

        Raises:
            DatasetNameError: the folder fails the early check.
            CorruptDatasetError: a file cannot be read as an image, or has transparent pixels; named.
        """
        del root, download
        self.check()
        by_split = self._files()
        roots = self.split_folders or {"all": self.path}
        labels, num_classes, classes = _labels(roots, by_split)
        pixels: dict[str, np.ndarray] = {}
        coloured, formats = False, Counter[str]()
        for split, files in by_split.items():
            pixels[split], split_colour = self._read(files)
            coloured |= split_colour
            formats.update("JPEG" if p.suffix.lower() in (".jpg", ".jpeg") else "PNG" for p in files)
        channels = self.channels or ("rgb" if coloured else "grayscale")
        if self.channels is None and channels == "grayscale":
            # no image has colour: R = G = B everywhere, so one channel is exactly the luma
            pixels = {split: np.ascontiguousarray(images[:, :1]) for split, images in pixels.items()}
        if self.split_folders is None:
            train_idx, test_idx = split_indices(len(by_split["all"]))
            images, all_labels = pixels["all"], labels["all"]
            parts = {
                "train": (images[train_idx], all_labels[train_idx]),
                "test": (images[test_idx], all_labels[test_idx]),
            }
            split_note = (
                f"held out {len(test_idx)} of {len(images)} (min(ceil(N/10), {MAX_TEST:,}), "
                f"numpy default_rng({SPLIT_SEED}) permutation of the sorted file list)"
            )
        else:
            parts = {split: (pixels[split], labels[split]) for split in SPLIT_FOLDERS}
            split_note = "the train/ and test/ folders"
        what = ", ".join(f"{count} {kind}" for kind, count in sorted(formats.items()))
        source = (
            f"folder {self.path} ({what}; {channels}, centre crop to a square, Pillow bicubic to "
            f"{self.size}x{self.size}; split: {split_note}; {classes})"
        )
        return Dataset(
            name=self.name(channels, coloured),
            train=ImageSet(torch.from_numpy(parts["train"][0]), torch.from_numpy(parts["train"][1])),
            test=ImageSet(torch.from_numpy(parts["test"][0]), torch.from_numpy(parts["test"][1])),
            num_classes=num_classes,
            source=source,
        )

    def _read(self, files: list[Path]) -> tuple[np.ndarray, bool]:
        """uint8 [len(files), C, size, size] by the resize protocol, and whether any image has colour."""
        keep_grey = self.channels == "grayscale"
        out = np.empty((len(files), 1 if keep_grey else 3, self.size, self.size), dtype=np.uint8)
        coloured = False
        for i, path in enumerate(
            tqdm(
                files,
                desc=f"reading {self.path.name}",
                unit="img",
                leave=False,
                disable=None if len(files) >= _PROGRESS_FROM else True,
            )
        ):
            try:
                image, _ = read_image(path)
            except SourceError as err:
                raise CorruptDatasetError(f"dataset {self.text!r}: {err}") from None
            coloured = coloured or (image.shape[0] == 3 and bool((image != image[:1]).any()))
            out[i] = resize_square(image, self.size, grayscale=keep_grey)
        return out, coloured


def resize_square(image: np.ndarray, size: int, *, grayscale: bool) -> np.ndarray:
    """One image by the module docstring's protocol: uint8 [C, H, W] (C 1 or 3) -> [C', size, size].

    Args:
        grayscale: convert to one channel by BT.601 luma (C' = 1); else to three channels (C' = 3, a grey
            image repeated).
    """
    mode = "L" if image.shape[0] == 1 else "RGB"
    picture = Image.fromarray(image[0] if mode == "L" else image.transpose(1, 2, 0), mode)
    picture = picture.convert("L" if grayscale else "RGB")
    width, height = picture.size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    square = picture.crop((left, top, left + side, top + side))  # crop first: no pixel outside it is read
    resized = square if side == size else square.resize((size, size), Image.Resampling.BICUBIC)
    array = np.asarray(resized)
    return array[None] if array.ndim == 2 else array.transpose(2, 0, 1)


def split_indices(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(train, held-out) indices into the sorted file list: the module docstring's split rule.

    Returns:
        int64 arrays, disjoint, together a permutation of ``range(n)``; held out: min(ceil(n/10), 10,000).
    """
    perm = np.random.default_rng(SPLIT_SEED).permutation(n).astype(np.int64)
    n_test = min(math.ceil(n / TEST_DENOMINATOR), MAX_TEST)
    return perm[n_test:], perm[:n_test]


def _labels(roots: dict[str, Path], files: dict[str, list[Path]]) -> tuple[dict[str, np.ndarray], int, str]:
    """Labels per split (int64 [N]), the class count, and the classes in words (module docstring's rule)."""
    numbered = {split: folder_labels(roots[split], files[split]) for split in files}
    if all(found is not None for found in numbered.values()):
        count = max(found[1] for found in numbered.values() if found is not None)
        labels = {split: found[0].numpy() for split, found in numbered.items() if found is not None}
        return labels, count, f"{count} classes from subfolders 0/ ... {count - 1}/"
    tops = {split: class_folders(roots[split], files[split]) for split in files}
    names = sorted({name for found in tops.values() for name in (found or [])})
    if any(found is None for found in tops.values()) or len(names) < 2:
        zeros = {split: np.zeros(len(files[split]), dtype=np.int64) for split in files}
        return zeros, 1, "unlabelled: no class subfolders, every label 0"
    index = {name: i for i, name in enumerate(names)}
    labels = {
        split: np.array([index[name] for name in found or []], dtype=np.int64)
        for split, found in tops.items()
    }
    shown = ", ".join(f"{i} {name}" for i, name in enumerate(names[:5])) + (", ..." if len(names) > 5 else "")
    return labels, len(names), f"{len(names)} classes from subfolders by sorted name: {shown}"


def parse_folder_spelling(text: str) -> FolderDataset:
    """``folder:PATH[,size=N][,channels=C]`` -> a checked `FolderDataset` (the first images read, no more).

    A path that itself contains commas works as long as no part after a comma looks like ``key=value``.

    Raises:
        DatasetNameError: an empty path, an unknown or repeated option, a value out of range, or a
            folder that fails `FolderDataset.check`.
    """
    rest = text[len(FOLDER_PREFIX) :]
    whole = Path(rest).expanduser()
    parts = [rest] if whole.is_dir() else rest.split(",")
    options: dict[str, str] = {}
    while len(parts) > 1 and (match := _OPTION.match(parts[-1].strip())):
        key, value = match.group(1).lower(), match.group(2).strip()
        if key not in ("size", "channels"):
            raise _wrong(text, f"unknown option {key!r} (options: size, channels)")
        if key in options:
            raise _wrong(text, f"option {key} is given twice")
        options[key] = value
        parts.pop()
    path_text = ",".join(parts).strip()
    if not path_text:
        raise _wrong(text, "no folder given")
    size = DEFAULT_SIZE
    if "size" in options:
        if not options["size"].isdigit() or int(options["size"]) not in SIZES:
            raise _wrong(
                text,
                f"size={options['size']} is not one of {', '.join(map(str, SIZES))} (the image sizes the "
                "networks are built for)",
            )
        size = int(options["size"])
    channels = options.get("channels")
    if channels is not None:
        channels = channels.lower()
        if channels not in CHANNELS:
            raise _wrong(text, f"channels={options['channels']} is not rgb or grayscale")
    spec = FolderDataset(text=text, path=Path(path_text).expanduser().resolve(), size=size, channels=channels)
    spec.check()
    return spec
