"""What every dataset factory returns: uint8 images with labels, a train and a held-out split."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch


class DatasetUnavailableError(FileNotFoundError):
    """The dataset's files are neither on disk nor downloadable; the message says how to get them."""


class CorruptDatasetError(ValueError):
    """A dataset file exists but cannot be read as what it claims to be."""


class DatasetNameError(ValueError):
    """A dataset spelling that cannot be used, found before any work: an unknown name, or a ``folder:PATH``
    whose path, options or first images are wrong; the message says what is accepted and how to fix it."""


@dataclass(frozen=True)
class ImageSet:
    """Images and their class labels.

    Attributes:
        images: uint8 tensor [N, C, H, W], values 0..255.
        labels: int64 tensor [N].
    """

    images: torch.Tensor
    labels: torch.Tensor

    def __post_init__(self) -> None:
        assert self.images.dtype == torch.uint8 and self.images.ndim == 4, self.images.shape
        assert self.labels.dtype == torch.int64 and self.labels.shape == (self.images.shape[0],)

    def __len__(self) -> int:
        return int(self.images.shape[0])


@dataclass(frozen=True)
class Dataset:
    """A named dataset with a training split and a held-out split.

    Attributes:
        name: registry name actually loaded (``mnist-5k`` when ``mnist`` fell back to it).
        train: the split GANs and the domain classifier are trained on.
        test: the held-out split generated samples are compared with.
        num_classes: number of label classes.
        source: where the data came from (a path, a package), for the report.
    """

    name: str
    train: ImageSet
    test: ImageSet
    num_classes: int
    source: str

    @property
    def channels(self) -> int:
        return int(self.train.images.shape[1])

    @property
    def image_size(self) -> int:
        return int(self.train.images.shape[-1])


def default_cache_dir() -> Path:
    """``$GANBENCH_CACHE``, else ``$XDG_CACHE_HOME/ganbench``, else ``~/.cache/ganbench``."""
    if env := os.environ.get("GANBENCH_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ganbench"


def default_data_root() -> Path:
    """``$GANBENCH_DATA``, else ``<cache dir>/data``."""
    if env := os.environ.get("GANBENCH_DATA"):
        return Path(env)
    return default_cache_dir() / "data"
