"""Generators with a known defect, built from real images: the experiment of ``ganbench validate``.

Each :class:`DefectSeries` turns real images into a set of n images whose defect grows with its
parameter, in the order of ``values`` (mild to severe). A measure that judges what the defect
damages must get worse along the series (Borji 2019, arXiv:1802.03446, Sec. 4's desiderata;
Xu et al. 2018, arXiv:1806.07755, built the same kind of sets to test measures). The series:

- **distortions** of the base set (control draw 0, so the series is paired with a control):
  ``gaussian-noise`` (std in [0, 1] pixel units), ``gaussian-blur`` (std in pixels),
  ``salt-and-pepper`` (share of pixels set to 0 or 255), ``quantisation`` (bits per pixel, 2^b
  evenly spaced levels from 0 to 255, so black stays black and white stays white);
- **diversity**: ``mode-dropping`` (classes kept, balanced over the kept classes; which classes go
  first is a seeded order), ``mode-collapse`` (K distinct images, as evenly over the classes as K
  allows, each repeated until there are n: collapse *within* classes, every class still present),
  ``class-imbalance`` (share of the set taken by one class, the rest shared evenly);
- **memorisation**: the share of the base set replaced by distinct images copied from the
  measures' training set (at 1.0 the set *is* n training images);
- **fidelity**: ``mode-invention``, the share of the base set replaced by out-of-distribution
  images (another dataset's, or uniform noise).

Every draw comes from ``numpy.random.default_rng`` seeded by the experiment seed and the series,
so a set is the same on every call. Where the fresh pool has fewer images of the kept classes
than n (one class of MNIST-5k), images repeat; :attr:`DefectSet.distinct` says how many are
distinct, and the report shows it.

Shapes: images uint8 [N, C, H, W] (torch), labels int64 [N] (-1 for an out-of-distribution image).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from scipy.ndimage import gaussian_filter

from ganbench.datasets.spec import ImageSet
from ganbench.validation.pools import Pools

#: The desiderata the series test, in the order of the report's columns (Borji 2019, Sec. 4).
DESIDERATA: tuple[str, ...] = ("fidelity", "distortions", "diversity", "memorisation")
#: The aspect of a key (metrics/spec.py) that each desideratum's series test.
DESIDERATUM_ASPECT: dict[str, str] = {
    "fidelity": "fidelity",
    "distortions": "fidelity",
    "diversity": "diversity",
    "memorisation": "memorisation",
}


@dataclass(frozen=True)
class DefectSet:
    """One defective set: ``images`` uint8 [n, C, H, W], ``labels`` int64 [n] (-1: out of
    distribution), ``distinct`` the number of distinct source images in it."""

    images: torch.Tensor
    labels: torch.Tensor
    distinct: int


@dataclass(frozen=True)
class Context:
    """What a series builds from.

    Attributes:
        pools: the experiment's pools.
        base: the base set (control draw 0), images the distortion series transform.
        ood: out-of-distribution images uint8 [M, C, H, W] for ``mode-invention``, or None for
            uniform noise images.
        class_order: a seeded permutation of the classes: ``mode-dropping`` keeps the first k,
            ``class-imbalance`` inflates the first.
        seed: the experiment seed.
    """

    pools: Pools
    base: ImageSet
    ood: torch.Tensor | None
    class_order: np.ndarray
    seed: int

    def rng(self, series: str, value: float) -> np.random.Generator:
        """The generator of one set: seeded by the experiment seed, the series and the value."""
        return np.random.default_rng([self.seed, zlib.crc32(f"{series}@{value!r}".encode())])


Build = Callable[[Context, float, np.random.Generator], DefectSet]


@dataclass(frozen=True)
class DefectSeries:
    """A family of defective sets of growing severity.

    Attributes:
        name: kebab-case, the records' ``defect`` field.
        desideratum: which of :data:`DESIDERATA` it tests.
        title: a line for the report.
        parameter: what ``values`` are, with units.
        values: the parameter's values, mild to severe (the severity order, whatever the sign).
        build: ``(context, value, rng) -> DefectSet``.
    """

    name: str
    desideratum: str
    title: str
    parameter: str
    values: tuple[float, ...]
    build: Build

    def make(self, context: Context, value: float) -> DefectSet:
        """The set at ``value`` (deterministic)."""
        return self.build(context, value, context.rng(self.name, value))


def _from_unit(x: np.ndarray) -> torch.Tensor:
    """float pixels in [0, 1] -> uint8 tensor, rounded to the nearest level."""
    return torch.from_numpy(np.clip(np.rint(x * 255.0), 0, 255).astype(np.uint8))


def _distorted(context: Context, images: torch.Tensor) -> DefectSet:
    return DefectSet(images.contiguous(), context.base.labels.clone(), len(context.base))


def gaussian_noise(context: Context, std: float, rng: np.random.Generator) -> DefectSet:
    """Base images plus N(0, std²) per pixel in [0, 1] units, clipped and rounded to 8 bits."""
    x = context.base.images.numpy().astype(np.float64) / 255.0
    return _distorted(context, _from_unit(x + rng.normal(0.0, std, size=x.shape)))


def gaussian_blur(context: Context, std: float, rng: np.random.Generator) -> DefectSet:
    """Base images blurred by a Gaussian of ``std`` pixels (scipy, edges by reflection), rounded."""
    x = context.base.images.numpy().astype(np.float64) / 255.0
    return _distorted(context, _from_unit(gaussian_filter(x, sigma=(0, 0, std, std), mode="reflect")))


def salt_and_pepper(context: Context, share: float, rng: np.random.Generator) -> DefectSet:
    """A ``share`` of the base images' pixels set to 0 or 255 (each with probability ½)."""
    x = context.base.images.numpy().copy()
    hit = rng.random(x.shape) < share
    salt = rng.random(x.shape) < 0.5
    x[hit & salt] = 255
    x[hit & ~salt] = 0
    return _distorted(context, torch.from_numpy(x))


def quantisation(context: Context, bits: float, rng: np.random.Generator) -> DefectSet:
    """Base images with 2^bits grey levels evenly spaced over 0..255, each pixel to the nearest."""
    levels = 2 ** int(bits) - 1
    x = context.base.images.numpy().astype(np.float64) / 255.0
    return _distorted(context, _from_unit(np.rint(x * levels) / levels))


def _draw_by_class(
    pool: ImageSet, counts: dict[int, int], rng: np.random.Generator
) -> tuple[np.ndarray, int]:
    """Indices into ``pool``: ``counts[c]`` images of class c, without replacement while the class
    has enough, then again from the start of a new shuffle; returns (indices shuffled, distinct)."""
    labels = pool.labels.numpy()
    chosen: list[np.ndarray] = []
    distinct = 0
    for cls, count in counts.items():
        members = np.flatnonzero(labels == cls)
        if count == 0:
            continue
        if members.size == 0:
            raise ValueError(f"the fresh pool has no image of class {cls}")
        reps = -(-count // members.size)
        picks = np.concatenate([rng.permutation(members) for _ in range(reps)])[:count]
        distinct += min(count, members.size)
        chosen.append(picks)
    index = np.concatenate(chosen)
    return index[rng.permutation(index.size)], distinct


def _balanced(classes: np.ndarray, n: int) -> dict[int, int]:
    """n spread as evenly as possible over ``classes`` (the first ones get the remainder)."""
    base, extra = divmod(n, classes.size)
    return {int(c): base + (1 if i < extra else 0) for i, c in enumerate(classes)}


def _subset(pool: ImageSet, index: np.ndarray, distinct: int) -> DefectSet:
    t = torch.as_tensor(index)
    return DefectSet(pool.images[t].contiguous(), pool.labels[t].contiguous(), distinct)


def mode_dropping(context: Context, kept: float, rng: np.random.Generator) -> DefectSet:
    """n fresh images of the first ``kept`` classes of the seeded class order, balanced over them."""
    classes = context.class_order[: int(kept)]
    index, distinct = _draw_by_class(context.pools.fresh, _balanced(classes, context.pools.n), rng)
    return _subset(context.pools.fresh, index, distinct)


def mode_collapse(context: Context, k: float, rng: np.random.Generator) -> DefectSet:
    """K distinct fresh images, spread evenly over the classes, each repeated to fill n (then shuffled)."""
    k, n = int(k), context.pools.n
    index, distinct = _draw_by_class(context.pools.fresh, _balanced(context.class_order, k), rng)
    tiled = np.resize(index, n)  # each of the K images ceil(n/K) or floor(n/K) times
    return _subset(context.pools.fresh, tiled[rng.permutation(n)], distinct)


def class_imbalance(context: Context, share: float, rng: np.random.Generator) -> DefectSet:
    """n fresh images in which the first class of the seeded order takes ``share``, the rest even."""
    n, order = context.pools.n, context.class_order
    big = round(share * n)
    counts = {int(order[0]): big, **_balanced(order[1:], n - big)}
    index, distinct = _draw_by_class(context.pools.fresh, counts, rng)
    return _subset(context.pools.fresh, index, distinct)


def _replace_rows(context: Context, share: float, rng: np.random.Generator, source: ImageSet) -> DefectSet:
    """The base set with ``round(share * n)`` rows (drawn without replacement) replaced by distinct
    images of ``source``."""
    n = len(context.base)
    m = round(share * n)
    if m > len(source):
        raise ValueError(f"cannot take {m} distinct images from a pool of {len(source)}")
    rows = torch.as_tensor(rng.choice(n, size=m, replace=False))
    picks = torch.as_tensor(rng.choice(len(source), size=m, replace=False))
    images, labels = context.base.images.clone(), context.base.labels.clone()
    images[rows] = source.images[picks]
    labels[rows] = source.labels[picks]
    return DefectSet(images, labels, n)


def memorisation(context: Context, share: float, rng: np.random.Generator) -> DefectSet:
    """The base set with a ``share`` of its rows replaced by copies of training images (``memorised``)."""
    return _replace_rows(context, share, rng, context.pools.memorised)


def mode_invention(context: Context, share: float, rng: np.random.Generator) -> DefectSet:
    """The base set with a ``share`` of its rows replaced by out-of-distribution images: the context's
    ``ood`` images, or, without them, images of independent uniform pixels."""
    n = len(context.base)
    if context.ood is not None:
        source = ImageSet(context.ood, torch.full((len(context.ood),), -1, dtype=torch.int64))
    else:
        shape = (n, *context.base.images.shape[1:])
        noise = torch.from_numpy(rng.integers(0, 256, size=shape, dtype=np.uint8))
        source = ImageSet(noise, torch.full((n,), -1, dtype=torch.int64))
    return _replace_rows(context, share, rng, source)


def collapse_sizes(n: int, smallest: int = 10) -> tuple[float, ...]:
    """K for ``mode-collapse``: four values from n/2 down to ``smallest`` on a log scale, distinct."""
    values = np.unique(np.rint(np.geomspace(n / 2, smallest, 4)).astype(int))[::-1]
    return tuple(float(v) for v in values if v >= smallest)


def dropping_counts(num_classes: int) -> tuple[float, ...]:
    """Classes kept by ``mode-dropping``: 9, 7, 5, 3, 1 of 10 (K-1 down to 1 in steps of 2)."""
    return tuple(float(k) for k in range(num_classes - 1, 0, -2))


def series_for(n: int, num_classes: int, ood_phrase: str) -> tuple[DefectSeries, ...]:
    """Every defect series for sets of n images of ``num_classes`` classes."""
    diversity: tuple[DefectSeries, ...] = ()
    if num_classes >= 2:
        diversity = (
            DefectSeries(
                "mode-dropping",
                "diversity",
                "mode dropping: only some classes",
                "classes kept",
                dropping_counts(num_classes),
                mode_dropping,
            ),
            DefectSeries(
                "class-imbalance",
                "diversity",
                "class imbalance: one class over-represented",
                "share of one class",
                (0.25, 0.4, 0.6, 0.8),
                class_imbalance,
            ),
        )
    return (
        DefectSeries(
            "gaussian-noise",
            "distortions",
            "additive Gaussian noise",
            "noise std (pixel range 0-1)",
            (0.05, 0.1, 0.2, 0.4),
            gaussian_noise,
        ),
        DefectSeries(
            "gaussian-blur",
            "distortions",
            "Gaussian blur",
            "blur std (pixels)",
            (0.5, 1.0, 1.5, 2.0),
            gaussian_blur,
        ),
        DefectSeries(
            "salt-and-pepper",
            "distortions",
            "salt-and-pepper noise",
            "share of pixels hit",
            (0.02, 0.05, 0.1, 0.2),
            salt_and_pepper,
        ),
        DefectSeries(
            "quantisation",
            "distortions",
            "grey-level quantisation",
            "bits per pixel",
            (4.0, 3.0, 2.0, 1.0),
            quantisation,
        ),
        *diversity[:1],
        DefectSeries(
            "mode-collapse",
            "diversity",
            "mode collapse: K distinct images repeated",
            "distinct images K",
            collapse_sizes(n),
            mode_collapse,
        ),
        *diversity[1:],
        DefectSeries(
            "memorisation",
            "memorisation",
            "memorisation: images copied from the training set",
            "share copied",
            (0.25, 0.5, 0.75, 1.0),
            memorisation,
        ),
        DefectSeries(
            "mode-invention",
            "fidelity",
            f"mode invention: out-of-distribution images ({ood_phrase})",
            "share out of distribution",
            (0.1, 0.2, 0.35, 0.5),
            mode_invention,
        ),
    )
