import pytest
import torch

from ganbench.config import TrainConfig
from ganbench.networks import base_resolution
from ganbench.registry import VARIANTS
from ganbench.training.loop import build_networks, train

ALL = VARIANTS.names()  # every registered variant: a new one is tested without editing a list


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("channels,size", [(1, 28), (3, 32), (3, 64)])
def test_output_shapes(name: str, channels: int, size: int) -> None:
    variant = VARIANTS[name]
    g, d = build_networks(variant, channels, size, seed=0, num_classes=10)
    z = torch.randn(4, variant.latent_dim)
    x = g(z)
    assert x.shape == (4, channels, size, size)
    assert x.min() >= -1 and x.max() <= 1
    if variant.discriminator_scores == "none":  # the VAE's encoder: mean and log-variance of q(z | x)
        assert [t.shape for t in d(x)] == [(4, variant.latent_dim)] * 2
    else:
        assert d(x).shape == (4,)


@pytest.mark.parametrize("name", ALL)
def test_one_step_is_finite_and_changes_weights(name: str, images: torch.Tensor) -> None:
    variant = VARIANTS[name]
    before, _ = build_networks(variant, 1, 28, seed=0, num_classes=10)
    labels = torch.arange(len(images)) % 10  # read by conditional variants only
    result = train(
        variant,
        images,
        TrainConfig(kimg=0.001, batch_size=16),
        seed=0,
        progress=False,
        labels=labels,
        num_classes=10,
    )
    assert result.status == "ok" and result.g_steps == 1 and result.d_steps == variant.critic_steps
    assert all(torch.isfinite(p).all() for p in result.generator.parameters())
    changed = any(
        not torch.equal(a, b)
        for a, b in zip(before.state_dict().values(), result.generator.state_dict().values(), strict=False)
    )
    assert changed


@pytest.mark.parametrize("name", ["vanilla", "wgan-gp"])
def test_same_seed_same_weights_other_seed_other_weights(name: str, images: torch.Tensor) -> None:
    def weights(seed: int) -> list[torch.Tensor]:
        r = train(VARIANTS[name], images, TrainConfig(kimg=0.1, batch_size=16), seed=seed, progress=False)
        return list(r.generator.state_dict().values()) + list(r.discriminator.state_dict().values())

    first, again, other = weights(3), weights(3), weights(4)
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(first, other, strict=True))


def test_wgan_gp_critic_has_no_batch_norm() -> None:
    _, critic = build_networks(VARIANTS["wgan-gp"], 1, 28, seed=0)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in critic.modules())
    _, dcgan_d = build_networks(VARIANTS["dcgan"], 1, 28, seed=0)
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in dcgan_d.modules())


def test_paper_optimiser_settings() -> None:
    assert VARIANTS["dcgan"].lr_d == 2e-4 and VARIANTS["dcgan"].betas == (0.5, 0.999)
    wgan = VARIANTS["wgan-gp"]
    assert wgan.critic_steps == 5 and wgan.lr_g == 1e-4 and wgan.betas == (0.0, 0.9)


def test_base_resolution() -> None:
    assert [base_resolution(s) for s in (28, 32, 64)] == [7, 4, 4]
    with pytest.raises(ValueError, match="cannot be reached"):
        base_resolution(27)
