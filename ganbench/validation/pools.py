"""The image pools of one ``ganbench validate`` experiment, drawn once from a dataset.

Every set the experiment scores comes from one population: the dataset's training and held-out
splits pooled and shuffled with the experiment's seed. (The domain classifier was trained on the
training split; pooling spreads its "seen" images evenly over every set, so no set differs from
another by which split it came from.) The population is cut into disjoint parts:

- ``memorised`` (40 % of the population, at most :data:`MAX_MEMORISED` images): the training set the
  measures are given (their ``train`` input); the memorisation defect copies images from it, so a
  copy is "from the training set" exactly as far as the measures can know;
- ``reference`` (n images): the real side of every comparison;
- ``fresh`` (the rest): the controls and every defect are drawn from it, so none of their images is
  in the reference or in ``memorised``.

Shapes: images uint8 [N, C, H, W], labels int64 [N].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ganbench.datasets.spec import Dataset, ImageSet

MEMORISED_SHARE = 0.4
MAX_MEMORISED = 10_000


@dataclass(frozen=True)
class Pools:
    """The disjoint image pools of one experiment (see the module docstring).

    Attributes:
        reference: the n real images every set is compared with.
        fresh: images in neither ``reference`` nor ``memorised``; controls and defects come from here.
        memorised: the measures' training set, and the source of copied images.
        num_classes: K of the dataset's labels.
    """

    reference: ImageSet
    fresh: ImageSet
    memorised: ImageSet
    num_classes: int

    @property
    def n(self) -> int:
        """The size of every scored set."""
        return len(self.reference)


def population_size(dataset: Dataset) -> int:
    """Images in the pooled population: training plus held-out split."""
    return len(dataset.train) + len(dataset.test)


def largest_n(population: int, controls: int) -> int:
    """The largest set size n the pools allow: the reference and ``controls`` disjoint control draws
    fit in the part that is not memorised."""
    memorised = min(int(population * MEMORISED_SHARE), MAX_MEMORISED)
    return (population - memorised) // (1 + controls)


def make_pools(dataset: Dataset, n: int, seed: int) -> Pools:
    """Pool ``dataset``'s splits, shuffle with ``numpy.random.default_rng(seed)`` and cut (module docstring).

    Raises:
        ValueError: ``n`` is larger than the part of the population that is not memorised.
    """
    images = torch.cat([dataset.train.images, dataset.test.images])
    labels = torch.cat([dataset.train.labels, dataset.test.labels])
    order = torch.as_tensor(np.random.default_rng(seed).permutation(len(images)))
    memorised_size = min(int(len(images) * MEMORISED_SHARE), MAX_MEMORISED)
    if n > len(images) - memorised_size:
        raise ValueError(f"n = {n} is more than the {len(images) - memorised_size} images not memorised")

    def part(index: torch.Tensor) -> ImageSet:
        return ImageSet(images[index].contiguous(), labels[index].contiguous())

    return Pools(
        reference=part(order[memorised_size : memorised_size + n]),
        fresh=part(order[memorised_size + n :]),
        memorised=part(order[:memorised_size]),
        num_classes=dataset.num_classes,
    )
