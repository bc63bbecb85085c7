"""A dataset as an image source: ``NAME[:SPLIT]`` (``mnist-5k``, ``fashion-mnist:train``) or
``folder:PATH[,OPTIONS][:SPLIT]`` (`ganbench.datasets.folder`: resized, labelled and split as for a run)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from ganbench.datasets.loading import FOLDER_PREFIX, dataset_loader, is_folder_spelling, load_dataset
from ganbench.datasets.spec import CorruptDatasetError, DatasetNameError, DatasetUnavailableError
from ganbench.registry import DATASETS
from ganbench.sources.spec import LoadedSet, Role, SourceError, SourceSpec
from ganbench.sources.subset import take_stored
from ganbench.spelling import did_you_mean

#: The splits every registered dataset has; ``test`` is the held-out one.
SPLITS = ("test", "train")
DEFAULT_SPLIT = "test"


def _no_log(message: str) -> None:
    """``load_dataset`` logs only a fallback, and a source never falls back."""


@dataclass(frozen=True, kw_only=True)
class DatasetSource(SourceSpec):
    """``NAME[:SPLIT]``: split ``split`` of registered dataset ``name``.

    Attributes:
        name: a name in :data:`ganbench.registry.DATASETS`, or a ``folder:`` spelling.
        split: ``test`` (held out, the default) or ``train``.
        data_root: where the dataset's files are (None: ``$GANBENCH_DATA`` or the user cache).
    """

    name: str
    split: str
    data_root: str | Path | None

    def describe(self) -> str:
        return f"dataset {self.name} split {self.split}"

    def load(self, *, n: int | None, seed: int, device: torch.device, progress: bool) -> list[LoadedSet]:
        """The split's images and labels (a seeded subset of ``n``); on the real side also the training split.

        The dataset is loaded without the offline fallback: a user who names a dataset gets it.
        """
        del device, progress
        try:
            dataset, _ = load_dataset(self.name, self.data_root, allow_fallback=False, log=_no_log)
        except (DatasetUnavailableError, CorruptDatasetError) as err:
            raise SourceError(f"{self.text}: {err}") from err
        split = dataset.test if self.split == "test" else dataset.train
        images, labels, taken = take_stored(self.text, split.images, split.labels, n, seed)
        return [
            LoadedSet(
                label=self.name,
                images=images,
                labels=labels,
                num_classes=dataset.num_classes,
                source=f"dataset {dataset.name} split {self.split} ({taken})",
                train=dataset.train if self.role == "real" else None,
            )
        ]


def split_spelling(text: str) -> tuple[str, str]:
    """``NAME[:SPLIT]`` or ``folder:PATH[,OPTIONS][:SPLIT]`` -> (the dataset spelling, the split text).

    A ``folder:`` spelling's split is a trailing ``:test`` or ``:train`` (a path may hold colons); the
    split text is ``""`` when none is given.
    """
    if is_folder_spelling(text):
        head, _, tail = text.rpartition(":")
        return (head, tail) if tail in SPLITS and head != FOLDER_PREFIX.rstrip(":") else (text, "")
    name, _, split = text.partition(":")
    return name, split


def names_dataset(text: str) -> bool:
    """Whether ``text`` is meant as a dataset SPEC: a registered name (with a split or not) or ``folder:``."""
    return is_folder_spelling(text) or text.partition(":")[0] in DATASETS


def parse_dataset(text: str, *, role: Role, data_root: str | Path | None) -> DatasetSource:
    """Check ``NAME[:SPLIT]`` or ``folder:PATH[:SPLIT]``; nothing is loaded but a folder's first images.

    Raises:
        SourceError: an unknown name (with the valid names and a close match), a ``folder:`` spelling
            that cannot be used, or an unknown split.
    """
    name, split = split_spelling(text)
    try:
        dataset_loader(name)
    except DatasetNameError as err:
        raise SourceError(f"{text}: {err}") from None
    split = split or DEFAULT_SPLIT
    if split not in SPLITS:
        raise SourceError(
            f"{text}: dataset {name} has no split {split!r}{did_you_mean(split, SPLITS)}; "
            f"write {name}:test (held out, the default) or {name}:train"
        )
    return DatasetSource(kind="dataset", text=text, role=role, name=name, split=split, data_root=data_root)
