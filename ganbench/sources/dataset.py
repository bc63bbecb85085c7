"""A registered dataset as an image source: ``NAME[:SPLIT]`` (``mnist-5k``, ``fashion-mnist:train``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from ganbench.datasets.loading import load_dataset
from ganbench.datasets.spec import CorruptDatasetError, DatasetUnavailableError
from ganbench.gate.spelling import did_you_mean
from ganbench.registry import DATASETS
from ganbench.sources.spec import LoadedSet, Role, SourceError, SourceSpec
from ganbench.sources.subset import take_stored

#: The splits every registered dataset has; ``test`` is the held-out one.
SPLITS = ("test", "train")
DEFAULT_SPLIT = "test"


def _no_log(message: str) -> None:
    """``load_dataset`` logs only a fallback, and a source never falls back."""


@dataclass(frozen=True, kw_only=True)
class DatasetSource(SourceSpec):
    """``NAME[:SPLIT]``: split ``split`` of registered dataset ``name``.

    Attributes:
        name: a name in :data:`ganbench.registry.DATASETS`.
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


def parse_dataset(text: str, *, role: Role, data_root: str | Path | None) -> DatasetSource:
    """Check ``NAME[:SPLIT]`` against the registry and the splits; nothing is loaded.

    Raises:
        SourceError: an unknown name (with the valid names and a close match) or split.
    """
    name, _, split = text.partition(":")
    if name not in DATASETS:
        raise SourceError(
            f"{text}: unknown dataset {name!r}{did_you_mean(name, DATASETS.names())}; "
            f"registered datasets: {', '.join(DATASETS.names())}"
        )
    split = split or DEFAULT_SPLIT
    if split not in SPLITS:
        raise SourceError(
            f"{text}: dataset {name} has no split {split!r}{did_you_mean(split, SPLITS)}; "
            f"write {name}:test (held out, the default) or {name}:train"
        )
    return DatasetSource(kind="dataset", text=text, role=role, name=name, split=split, data_root=data_root)
