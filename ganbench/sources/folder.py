"""A folder of PNG / JPEG files as an image source, flat or nested, optionally ImageFolder-labelled.

Files (``.png``, ``.jpg``, ``.jpeg``, any case) are found at any depth and read in sorted
relative-path order with PIL. Every image must have the same size and channel count: ganbench
never resizes here (a resize is a protocol decision, made explicitly elsewhere).

Modes are read as they are (``L`` -> 1 channel, ``RGB`` -> 3) or converted only where nothing
is lost, and each conversion is named in the set's ``source``:

- ``1`` (bilevel) -> ``L`` (0 and 255);
- ``P`` (palette) -> ``RGB`` (the palette colours); with a transparency entry, as ``RGBA``;
- ``RGBA`` / ``LA`` whose alpha is 255 everywhere -> ``RGB`` / ``L``; any transparent pixel is refused
  (compositing onto a background would be a guess);
- 16-bit grey (``I;16``, ``I``) whose every value is a multiple of 257 (an 8-bit image widened
  exactly) -> ``L`` by division; any other 16-bit image is refused.

Class labels: when every image lies under a top-level subfolder named by a non-negative integer
(``0/ 1/ ... 9/``, torchvision's ImageFolder layout), those integers are the labels and
``num_classes`` is the largest plus one; otherwise the set has no labels.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError
from tqdm import tqdm

from ganbench.sources.spec import LoadedSet, Role, SourceError, SourceSpec
from ganbench.sources.subset import checked_n, subset_indices

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
_CLASS_FOLDER = re.compile(r"^(0|[1-9][0-9]*)$")
_PROGRESS_FROM = 200  # files; fewer are read without a progress bar
_SHOWN = 5  # offending files listed in a message


def image_files(root: Path) -> list[Path]:
    """The image files under ``root`` at any depth, sorted by their path relative to ``root``."""
    files = [p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()]
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def class_folders(root: Path, files: list[Path]) -> list[str] | None:
    """The top-level subfolder of each file when every file lies in one (ImageFolder's layout), else None."""
    tops = [p.relative_to(root).parts for p in files]
    if not tops or any(len(parts) < 2 for parts in tops):
        return None
    return [parts[0] for parts in tops]


def is_class_number(name: str) -> bool:
    """Whether a class folder's name is a label itself: a non-negative integer without leading zeros."""
    return bool(_CLASS_FOLDER.match(name))


def folder_labels(root: Path, files: list[Path]) -> tuple[torch.Tensor, int] | None:
    """ImageFolder labels: int64 [len(files)] and the class count, or None when the layout is not one."""
    tops = class_folders(root, files)
    if tops is None or not all(is_class_number(top) for top in tops):
        return None
    labels = torch.tensor([int(top) for top in tops], dtype=torch.int64)
    return labels, int(labels.max()) + 1


def _opaque(path: Path, pixels: np.ndarray, mode: str) -> np.ndarray:
    """The colour channels of ``pixels`` [H, W, C + 1] when its alpha is 255 everywhere; else refused."""
    alpha = pixels[..., -1]
    if (alpha != 255).any():
        raise SourceError(
            f"{path}: mode {mode} with transparent pixels ({int((alpha != 255).sum())} of {alpha.size} have "
            "alpha < 255); ganbench does not guess a background: flatten the images onto one and save "
            "them as RGB or greyscale (L)"
        )
    return pixels[..., :-1]


def read_image(path: Path) -> tuple[np.ndarray, str]:
    """One image file as uint8 [C, H, W] (C in {1, 3}) and what was done to it (its mode, or the conversion).

    Raises:
        SourceError: the file is unreadable or corrupt, or its mode cannot be converted without loss.
    """
    try:
        with Image.open(path) as image:
            image.load()
            mode = image.mode
            if mode == "1":
                image, note = image.convert("L"), "1 -> L"
            elif mode == "P":
                has_alpha = "transparency" in image.info
                image = image.convert("RGBA" if has_alpha else "RGB")
                note = "P -> RGB"
            else:
                note = mode
            pixels = np.asarray(image)
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError, Image.DecompressionBombError) as err:
        raise SourceError(
            f"{path}: cannot be read as an image ({type(err).__name__}: {err}); replace or remove the file"
        ) from err
    if image.mode in ("RGBA", "LA"):
        pixels = _opaque(path, pixels, mode)
        note = f"{mode} with opaque alpha -> {'RGB' if image.mode == 'RGBA' else 'L'}"
    elif image.mode in ("I", "I;16", "I;16B", "I;16L"):
        wide = pixels.astype(np.int64)
        if wide.min() < 0 or wide.max() > 65535 or (wide % 257).any():
            raise SourceError(
                f"{path}: a {mode} image (16-bit) whose values are not an 8-bit image widened exactly; "
                "ganbench reads 8-bit images: save it as 8-bit greyscale (L) or RGB"
            )
        pixels, note = (wide // 257).astype(np.uint8), f"{mode} (8-bit values x 257) -> L"
    elif image.mode not in ("L", "RGB"):
        raise SourceError(
            f"{path}: image mode {mode} is not supported; save the images as 8-bit greyscale (L) or RGB"
        )
    pixels = pixels[None] if pixels.ndim == 2 else pixels.transpose(2, 0, 1)
    return np.ascontiguousarray(pixels, dtype=np.uint8), note


def _describe_image(path: Path, pixels: np.ndarray, note: str) -> str:
    c, h, w = pixels.shape
    return f"{path} ({w}x{h}, {c} channel{'s' if c > 1 else ''}, {note})"


def _uniform(root: Path, files: list[Path], images: list[np.ndarray], notes: list[str]) -> None:
    """Raise :class:`SourceError` unless all images have one shape [C, H, W], listing a few that differ."""
    shapes = Counter(image.shape for image in images)
    if len(shapes) == 1:
        return
    common = shapes.most_common(1)[0][0]
    odd = [i for i, image in enumerate(images) if image.shape != common]
    listed = "; ".join(_describe_image(files[i], images[i], notes[i]) for i in odd[:_SHOWN])
    more = f" and {len(odd) - _SHOWN} more" if len(odd) > _SHOWN else ""
    counts = ", ".join(f"{n} x {w}x{h}x{c}" for (c, h, w), n in shapes.most_common())
    raise SourceError(
        f"{root}: the images must all have the same size and channel count; found {counts} (WxHxC). "
        f"Differing from the most common {common[2]}x{common[1]}x{common[0]}: {listed}{more}. "
        "Make the set uniform first (`ganbench evaluate --resize` brings a uniform set to the real "
        "size; it does not mix sizes within one set)"
    )


@dataclass(frozen=True, kw_only=True)
class FolderSource(SourceSpec):
    """A directory of image files (see the module docstring for what is read and how).

    Attributes:
        path: the folder, absolute.
        files: its image files in reading order (found when the SPEC was checked).
    """

    path: Path
    files: tuple[Path, ...]

    def describe(self) -> str:
        return f"folder {self.path} ({len(self.files)} image files)"

    def load(self, *, n: int | None, seed: int, device: torch.device, progress: bool) -> list[LoadedSet]:
        """Read the images (only the seeded subset of ``n`` when ``n`` is less than the file count)."""
        del device
        files = list(self.files)
        total = len(files)
        labelled = folder_labels(self.path, files)
        rows = torch.arange(total)
        taken = f"{total} of {total}"
        if n is not None:
            n = checked_n(self.text, n)
            if n > total:
                raise SourceError(
                    f"{self.text}: {n} images asked for, but the folder holds only {total} image files; "
                    f"ask for at most {total} (or add images)"
                )
            if n < total:
                rows = subset_indices(total, n, seed)
                taken = f"{n} of {total}, subset seed {seed}"
        chosen = [files[i] for i in rows.tolist()]
        pixels, notes = [], []
        for path in tqdm(
            chosen,
            desc=f"reading {self.path.name}",
            unit="img",
            leave=False,
            disable=not progress or len(chosen) < _PROGRESS_FROM,
        ):
            image, note = read_image(path)
            pixels.append(image)
            notes.append(note)
        _uniform(self.path, chosen, pixels, notes)
        formats = Counter("JPEG" if p.suffix.lower() in (".jpg", ".jpeg") else "PNG" for p in chosen)
        what = ", ".join(f"{count} {kind}" for kind, count in sorted(formats.items()))
        converted = Counter(note for note in notes if "->" in note)
        if converted:
            what += "; converted: " + ", ".join(
                f"{count} {note}" for note, count in sorted(converted.items())
            )
        labels, num_classes = (labelled[0][rows], labelled[1]) if labelled else (None, None)
        return [
            LoadedSet(
                label=self.path.name,
                images=torch.from_numpy(np.stack(pixels)),
                labels=labels,
                num_classes=num_classes,
                source=f"folder {self.path} ({what}; {taken})",
            )
        ]


def parse_folder(text: str, path: Path, *, role: Role) -> FolderSource:
    """Check a folder: it holds image files and the first one opens; nothing else is read.

    Raises:
        SourceError: no image files, or the first one cannot be used.
    """
    root = path.resolve()
    files = image_files(root)
    if not files:
        raise SourceError(
            f"{text}: the folder {root} holds no image files ({', '.join(IMAGE_SUFFIXES)}, at any depth); "
            "point at a folder of PNG or JPEG images"
        )
    read_image(files[0])
    return FolderSource(kind="folder", text=text, role=role, path=root, files=tuple(files))
