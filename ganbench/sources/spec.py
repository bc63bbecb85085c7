"""The contract of an image source: a checked SPEC (:class:`SourceSpec`), what it loads (:class:`LoadedSet`).

Two phases, so that a typo never costs a feature pass: :func:`ganbench.sources.parse_source`
checks a SPEC cheaply (names, files, headers, imports) and returns a :class:`SourceSpec`;
:meth:`SourceSpec.load` does the work (reads every file, samples every generator).
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Literal

import torch

from ganbench.datasets.spec import ImageSet
from ganbench.metrics.spec import GeneratorHandle

Role = Literal["real", "fake"]
Kind = Literal["dataset", "folder", "array", "generator", "run"]

#: The command-line option that sets each keyword of :func:`~ganbench.sources.parse_source`, per role;
#: messages name the option so that the fix is one copy-paste away.
OPTIONS = {"value_range": "--{role}-range", "array_key": "--{role}-key", "checkpoint": "--checkpoint"}


class SourceError(ValueError):
    """A SPEC that cannot be used; the message names the SPEC, what is wrong and how to fix it."""


def option(name: str, role: Role) -> str:
    """The option setting keyword ``name`` for ``role`` (``value_range``, ``fake``: ``--fake-range``)."""
    return OPTIONS[name].format(role=role)


def content_sha256(images: torch.Tensor, labels: torch.Tensor | None) -> str:
    """SHA-256 over the shape, dtype and bytes of ``images`` and, when present, of ``labels``.

    Two sets get the same hash exactly when they hold the same pixels in the same order (and the
    same labels, or both none).

    Args:
        images: uint8 [N, C, H, W].
        labels: int64 [N] or None.

    Returns:
        64 hexadecimal digits.
    """
    digest = hashlib.sha256()
    for name, tensor in (("images", images), ("labels", labels)):
        if tensor is None:
            digest.update(f"{name}:none;".encode())
            continue
        digest.update(f"{name}:{tuple(tensor.shape)}:{tensor.dtype};".encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class LoadedSet:
    """One loaded image set, ready for a feature pass.

    Attributes:
        label: the records' ``variant`` on the fake side (folder/file stem, run variant, function
            name); on the real side the dataset name or the folder/file stem.
        images: uint8 [N, C, H, W] on the CPU, C in {1, 3}.
        labels: int64 [N] class labels when the source has them, else None.
        num_classes: the number of classes when ``labels`` is set, else None.
        source: where it came from, in words, for the records (path, key, layout, subset, seed).
        sha256: :func:`content_sha256` of ``images`` and ``labels`` (computed, not passed).
        seed: the sampling seed (generators and run folders), else None.
        generator: an unconditional generator's handle, for measures that need one (recon-error).
        train: on the real side from a registered dataset, its training split (memorisation and
            birthday calibration need it), else None.
    """

    label: str
    images: torch.Tensor
    labels: torch.Tensor | None
    num_classes: int | None
    source: str
    sha256: str = field(init=False)
    seed: int | None = None
    generator: GeneratorHandle | None = None
    train: ImageSet | None = None

    def __post_init__(self) -> None:
        images, labels = self.images, self.labels
        assert images.dtype == torch.uint8 and images.ndim == 4 and images.shape[1] in (1, 3), images.shape
        assert images.device.type == "cpu", images.device
        if labels is not None:
            assert labels.dtype == torch.int64 and labels.shape == (images.shape[0],), labels.shape
            assert self.num_classes is not None and int(labels.max()) < self.num_classes
        object.__setattr__(self, "sha256", content_sha256(images, labels))

    def __len__(self) -> int:
        return int(self.images.shape[0])


@dataclass(frozen=True)
class SourceSpec(ABC):
    """A parsed and checked SPEC; nothing heavy is loaded until :meth:`load`.

    Attributes:
        kind: which reading of the SPEC applies.
        text: the SPEC as the user wrote it.
        role: ``real`` or ``fake``: the side of the comparison it is for.
    """

    kind: Kind
    text: str
    role: Role

    @abstractmethod
    def describe(self) -> str:
        """One line for logs: the kind and what it points at."""

    @abstractmethod
    def load(self, *, n: int | None, seed: int, device: torch.device, progress: bool) -> list[LoadedSet]:
        """Load the images.

        Args:
            n: how many images; None takes all of a stored set (a generator needs ``n``). A stored
                set with fewer than ``n`` images is an error; with more, a fixed random subset of
                ``n`` drawn with ``seed`` (:func:`~ganbench.sources.subset.subset_indices`).
            seed: the subset seed of a stored set, the sampling seed of a generator (a run folder
                samples each unit with its own training seed, as ``ganbench run`` did).
            device: where generators run; loaded images are always on the CPU.
            progress: show progress bars for long reads.

        Returns:
            one :class:`LoadedSet` per unit: one per (variant, seed) of a run folder, else exactly one.

        Raises:
            SourceError: the content cannot be used (a corrupt file, mixed sizes, too few images...).
        """
