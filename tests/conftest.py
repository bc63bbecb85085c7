"""Shared fixtures: an isolated cache, empty memos, seeded Gaussian features, and a tiny real dataset."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pytest
import torch

from ganbench.datasets import Dataset, ImageSet
from ganbench.numerics.memo import clear_memos
from ganbench.registry import DATASETS
from ganbench.runtime import configure_threads


@pytest.fixture(autouse=True, scope="session")
def threads_as_the_cli_sets_them() -> None:
    """The tests run under the thread settings of the entry points (torch on every core, BLAS on one)."""
    configure_threads()


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own ganbench cache, shared within the session for speed."""
    monkeypatch.setenv("GANBENCH_CACHE", str(tmp_path_factory.getbasetemp() / "ganbench-cache"))


@pytest.fixture(scope="session")
def mnist_5k() -> Dataset:
    return DATASETS["mnist-5k"]()


@pytest.fixture(scope="session")
def tiny_digits(mnist_5k: Dataset) -> Dataset:
    """600 training / 200 held-out real digits: enough for a one-epoch classifier and smoke runs."""

    def cut(split: ImageSet, n: int) -> ImageSet:
        return ImageSet(split.images[:n].clone(), split.labels[:n].clone())

    return Dataset("tiny-digits", cut(mnist_5k.train, 600), cut(mnist_5k.test, 200), 10, "mnist-5k subset")


@pytest.fixture
def images() -> torch.Tensor:
    """128 random uint8 images [128, 1, 28, 28]."""
    return torch.randint(
        0, 256, (128, 1, 28, 28), generator=torch.Generator().manual_seed(0), dtype=torch.uint8
    )


def gaussian(
    n: int = 1000,
    d: int = 64,
    *,
    shift: float = 0.0,
    scale: float = 1.0,
    seed: int = 0,
    dtype: type = np.float64,
) -> np.ndarray:
    """Rows of N(shift, scale² I) [n, d], reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, d)) * scale + shift).astype(dtype)


@pytest.fixture
def make_features() -> Callable[..., np.ndarray]:
    """Factory ``make_features(n, d, shift=, scale=, seed=, dtype=)`` -> [n, d] Gaussian features."""
    return gaussian


@pytest.fixture(autouse=True)
def _fresh_memos() -> Iterator[None]:
    """Each test starts with empty k-NN / statistics memos, so tests cannot leak into each other."""
    clear_memos()
    yield
    clear_memos()


@pytest.fixture
def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the run folder, the extractor and training fail loudly (:class:`helpers.WorkStarted`)
    if a bad input to ``run`` or ``sweep`` gets that far."""
    from helpers import WorkStarted

    import ganbench.studies.jobs as jobs
    import ganbench.studies.pipeline as pipeline

    def started(*args: object, **kwargs: object) -> None:
        raise WorkStarted("the run started work")

    monkeypatch.setattr(pipeline, "new_run_dir", started)
    monkeypatch.setattr(jobs, "train", started)
    monkeypatch.setattr(pipeline, "resolve_extractor", started)
