"""The defect series build what they say: sizes, classes, copies, distortions, determinism."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganbench.datasets.spec import Dataset, ImageSet
from ganbench.validation.defects import (
    Context,
    collapse_sizes,
    dropping_counts,
    series_for,
)
from ganbench.validation.pools import largest_n, make_pools

N = 60
CLASSES = 10


def toy_dataset(per_class_train: int = 40, per_class_test: int = 10) -> Dataset:
    """Images whose every pixel is a distinct id (so copies are recognisable), labels by class."""
    rng = np.random.default_rng(0)

    def split(per_class: int, offset: int) -> ImageSet:
        labels = np.repeat(np.arange(CLASSES), per_class)
        images = rng.integers(0, 256, size=(labels.size, 1, 8, 8), dtype=np.uint8)
        images[:, 0, 0, 0] = labels  # class visible in a pixel
        return ImageSet(torch.from_numpy(images), torch.from_numpy(labels.astype(np.int64)))

    return Dataset("toy", split(per_class_train, 0), split(per_class_test, 1), CLASSES, "test")


@pytest.fixture(scope="module")
def context() -> Context:
    pools = make_pools(toy_dataset(), N, seed=0)
    base = ImageSet(pools.fresh.images[:N], pools.fresh.labels[:N])
    return Context(pools, base, None, np.random.default_rng(2).permutation(CLASSES), seed=0)


def rows(images: torch.Tensor) -> set[bytes]:
    return {bytes(x) for x in images.reshape(len(images), -1).numpy()}


def test_pools_are_disjoint_and_sized() -> None:
    dataset = toy_dataset()
    pools = make_pools(dataset, N, seed=0)
    assert len(pools.reference) == N
    assert len(pools.memorised) == int(0.4 * 500)
    assert len(pools.reference) + len(pools.fresh) + len(pools.memorised) == 500
    ref, fresh, mem = rows(pools.reference.images), rows(pools.fresh.images), rows(pools.memorised.images)
    assert not (ref & fresh) and not (ref & mem) and not (fresh & mem)
    assert largest_n(500, 3) == (500 - 200) // 4
    with pytest.raises(ValueError, match="not memorised"):
        make_pools(dataset, 301, seed=0)


def test_every_series_gives_n_images_deterministically(context: Context) -> None:
    for series in series_for(N, CLASSES, "noise"):
        for value in series.values:
            first, again = series.make(context, value), series.make(context, value)
            assert first.images.shape == (N, 1, 8, 8) and first.images.dtype == torch.uint8, series.name
            assert torch.equal(first.images, again.images), series.name


def test_noise_grows_with_its_std(context: Context) -> None:
    series = next(s for s in series_for(N, CLASSES, "noise") if s.name == "gaussian-noise")
    base = context.base.images.double()
    errors = [(series.make(context, v).images.double() - base).abs().mean().item() for v in series.values]
    assert errors == sorted(errors) and errors[0] > 0


def test_quantisation_keeps_black_and_white_and_uses_2_to_the_bits_levels(context: Context) -> None:
    series = next(s for s in series_for(N, CLASSES, "noise") if s.name == "quantisation")
    one_bit = series.make(context, 1.0).images
    assert set(torch.unique(one_bit).tolist()) <= {0, 255}
    assert len(torch.unique(series.make(context, 3.0).images)) <= 8


def test_mode_dropping_keeps_the_first_classes_of_the_order(context: Context) -> None:
    series = next(s for s in series_for(N, CLASSES, "noise") if s.name == "mode-dropping")
    assert series.values == dropping_counts(CLASSES) == (9.0, 7.0, 5.0, 3.0, 1.0)
    for kept in series.values:
        made = series.make(context, kept)
        assert set(made.labels.tolist()) == set(context.class_order[: int(kept)].tolist())
    one = series.make(context, 1.0)
    # one class has 350 * 0.1 ~ 30 fresh images < 60: some repeat, and the set says so
    assert one.distinct == len(rows(one.images)) < N


def test_mode_collapse_has_k_distinct_images_of_every_class(context: Context) -> None:
    series = next(s for s in series_for(N, CLASSES, "noise") if s.name == "mode-collapse")
    assert series.values == collapse_sizes(N)
    made = series.make(context, 10.0)
    assert len(rows(made.images)) == 10 == made.distinct
    assert sorted(set(made.labels.tolist())) == list(range(CLASSES))


def test_memorisation_copies_the_share_from_the_training_set(context: Context) -> None:
    series = next(s for s in series_for(N, CLASSES, "noise") if s.name == "memorisation")
    memorised = rows(context.pools.memorised.images)
    for share in series.values:
        copied = len(rows(series.make(context, share).images) & memorised)
        assert copied == round(share * N)


def test_mode_invention_with_noise_replaces_the_share(context: Context) -> None:
    series = next(s for s in series_for(N, CLASSES, "noise") if s.name == "mode-invention")
    made = series.make(context, 0.5)
    assert int((made.labels == -1).sum()) == N // 2
    assert len(rows(made.images) & rows(context.base.images)) == N - N // 2


def test_class_imbalance_gives_one_class_its_share(context: Context) -> None:
    series = next(s for s in series_for(N, CLASSES, "noise") if s.name == "class-imbalance")
    made = series.make(context, 0.6)
    assert int((made.labels == int(context.class_order[0])).sum()) == 36
