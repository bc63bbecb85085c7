"""Tests for ``recon-error`` (Xiang & Li 2017, arXiv:1704.03971) with toy generators of known range."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import bootstrap_replicates
from torch import nn

from ganbench.metrics.recon_error import recon_error
from ganbench.metrics.spec import GeneratorHandle
from ganbench.registry import METRICS

LATENT = 8
SHAPE = (1, 12, 12)
CPU = torch.device("cpu")


class LinearDecoder(nn.Module):
    """z [B, 8] -> W z + b as images [B, 1, 12, 12]: its range (in [-1, 1]) is an 8-dim affine subspace."""

    def __init__(self, seed: int = 0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        d = int(np.prod(SHAPE))
        self.weight = nn.Parameter(torch.randn(LATENT, d, generator=g) * 0.2 / LATENT**0.5)
        self.bias = nn.Parameter(torch.randn(d, generator=g) * 0.1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return (z @ self.weight + self.bias).view(-1, *SHAPE)


class Constant(nn.Module):
    """Ignores z and always returns one image (total mode collapse)."""

    def __init__(self, image: torch.Tensor):
        super().__init__()
        self.image = nn.Parameter(image)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.image.expand(z.shape[0], *self.image.shape)


@pytest.fixture
def decoder() -> GeneratorHandle:
    return GeneratorHandle(LinearDecoder().eval(), LATENT, CPU)


@pytest.fixture
def in_range(decoder: GeneratorHandle) -> np.ndarray:
    """60 images [60, 1, 12, 12] the decoder makes exactly (no pixel clamped)."""
    with torch.no_grad():
        x = decoder(torch.randn(60, LATENT, generator=torch.Generator().manual_seed(5)))
    assert float(x.min()) > 0.0 and float(x.max()) < 1.0  # no clamping: the range is exact
    return x.numpy()


def test_is_registered_with_the_generator_as_an_extra_input() -> None:
    spec = METRICS["recon-error"]
    assert spec.space == "pixels" and spec.directions == {"recon_error": "lower"}
    assert spec.extra_inputs == ("generator",) and spec.runtime == ("device",)
    assert set(spec.defaults) == {"n_images", "steps", "lr", "restarts", "seed"}


def test_images_in_the_range_are_reconstructed(decoder: GeneratorHandle, in_range: np.ndarray) -> None:
    out = recon_error(real=in_range, fake=in_range, generator=decoder, n_images=40, steps=300)
    assert out["recon_error"] < 1e-6
    assert out["recon_error_std"] >= 0


def test_images_outside_the_range_are_not(decoder: GeneratorHandle, in_range: np.ndarray) -> None:
    noise = np.random.default_rng(0).random(in_range.shape).astype(np.float32)
    inside = recon_error(real=in_range, fake=in_range, generator=decoder, n_images=40, steps=300)
    outside = recon_error(real=noise, fake=in_range, generator=decoder, n_images=40, steps=300)
    # uniform noise has per-pixel variance 1/12; an 8-dim subspace explains little of 144 dims
    assert outside["recon_error"] > 0.05 > 1000 * inside["recon_error"]


def test_a_collapsed_generator_is_worse_than_a_good_one(
    decoder: GeneratorHandle, in_range: np.ndarray
) -> None:
    collapsed = GeneratorHandle(Constant(torch.from_numpy(in_range[0] * 2 - 1)).eval(), LATENT, CPU)
    good = recon_error(real=in_range, fake=in_range, generator=decoder, n_images=40, steps=300)
    bad = recon_error(real=in_range, fake=in_range, generator=collapsed, n_images=40, steps=300)
    assert bad["recon_error"] > 100 * good["recon_error"] and bad["recon_error"] > 1e-3


def test_more_restarts_and_steps_never_hurt(decoder: GeneratorHandle) -> None:
    """The best error is a minimum over iterates and starts: a larger search can only lower it."""
    targets = np.random.default_rng(1).random((20, *SHAPE)).astype(np.float32)
    short = recon_error(real=targets, fake=targets, generator=decoder, n_images=20, steps=20, restarts=1)
    longer = recon_error(real=targets, fake=targets, generator=decoder, n_images=20, steps=60, restarts=1)
    assert longer["recon_error"] <= short["recon_error"]


def test_same_seed_same_value(decoder: GeneratorHandle) -> None:
    targets = np.random.default_rng(2).random((50, *SHAPE)).astype(np.float32)
    kwargs = {"real": targets, "fake": targets, "n_images": 10, "steps": 30}
    a = recon_error(generator=decoder, seed=3, **kwargs)
    b = METRICS["recon-error"](generator=decoder, seed=3, device="cpu", **kwargs)
    c = recon_error(generator=decoder, seed=4, **kwargs)
    assert a == b
    assert a != c


def test_uses_at_most_the_images_there_are(decoder: GeneratorHandle, in_range: np.ndarray) -> None:
    few = recon_error(real=in_range[:5], fake=in_range, generator=decoder, n_images=100, steps=5)
    one = recon_error(real=in_range[:1], fake=in_range, generator=decoder, n_images=100, steps=5)
    assert np.isfinite(few["recon_error_std"])
    assert set(one) == {"recon_error"}  # no spread from a single image


def test_rejects_bad_input(decoder: GeneratorHandle, in_range: np.ndarray) -> None:
    with pytest.raises(ValueError, match="shape"):
        recon_error(real=np.zeros((4, 1, 28, 28), np.float32), fake=in_range, generator=decoder)
    with pytest.raises(ValueError, match="restarts"):
        recon_error(real=in_range, fake=in_range, generator=decoder, restarts=0)
    with pytest.raises(ValueError, match="lr"):
        recon_error(real=in_range, fake=in_range, generator=decoder, lr=0.0)


def test_bootstrap_spread_is_the_standard_error_over_images(decoder: GeneratorHandle) -> None:
    # a resample draws reconstructed images; each image's error is searched for once
    targets = np.random.default_rng(9).random((40, *SHAPE), dtype=np.float32)
    samples = METRICS["recon-error"].samples(
        real=targets, fake=targets, generator=decoder, n_images=40, steps=20, restarts=1
    )
    assert (samples.n_real, samples.n_fake) == (40, 0)
    replicates = bootstrap_replicates(samples, "recon_error")
    assert replicates.std() == pytest.approx(samples.value()["recon_error_std"], rel=0.15)
