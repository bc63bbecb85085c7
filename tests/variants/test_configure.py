"""One trial's settings applied to a variant (the random search of Lucic et al. 2018)."""

from __future__ import annotations

from functools import partial

import pytest
import torch
from torch import nn

from ganbench.losses import dragan_penalty, gradient_penalty
from ganbench.registry import VARIANTS
from ganbench.training.loop import make_optimizer
from ganbench.variants.began import BeganEquilibrium
from ganbench.variants.configure import (
    SETTINGS,
    accepted_settings,
    check_name,
    configure,
    variant_settings,
)


class _Slope(nn.Module):
    """D(x) = s · Σ x / ‖1‖: its input gradient has norm |s| everywhere."""

    def __init__(self, slope: float, size: int) -> None:
        super().__init__()
        self.slope, self.size = slope, size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.slope * x.flatten(1).sum(dim=1) / self.size**0.5


def penalty_value(variant_name: str, **settings: float) -> float:
    """The variant's penalty, configured with ``settings``, on a critic whose gradient norm is 3:
    λ (3 − 1)² = 4 λ."""
    penalty = configure(VARIANTS[variant_name], settings).penalty
    assert penalty is not None
    real, fake = torch.rand(8, 1, 4, 4), torch.rand(8, 1, 4, 4)
    return penalty(_Slope(3.0, 16), real, fake, torch.Generator().manual_seed(0)).item()


@pytest.mark.parametrize("name", ["wgan-gp", "dragan", "dcgan:wgan-gp"])
def test_the_penalty_weight_is_the_penalty_that_is_computed(name: str) -> None:
    assert penalty_value(name) == pytest.approx(40.0, rel=1e-5)  # the paper's λ = 10
    assert penalty_value(name, penalty_weight=1.0) == pytest.approx(4.0, rel=1e-5)
    assert penalty_value(name, penalty_weight=250.0) == pytest.approx(1000.0, rel=1e-5)


def test_the_penalty_partial_is_rebuilt_not_wrapped() -> None:
    wgan_gp = VARIANTS["wgan-gp"]
    configured = configure(wgan_gp, {"penalty_weight": 0.5})
    assert isinstance(configured.penalty, partial)
    assert configured.penalty.func is gradient_penalty and configured.penalty.keywords == {"weight": 0.5}
    assert wgan_gp.penalty.keywords == {"weight": 10.0}  # the registered variant is untouched
    assert configure(VARIANTS["dragan"], {"penalty_weight": 2.0}).penalty.func is dragan_penalty


def test_a_configured_began_state_follows_the_new_gamma() -> None:
    began = configure(VARIANTS["began"], {"gamma": 0.7})
    state = began.objective_state()
    assert isinstance(state, BeganEquilibrium) and state.gamma == 0.7 and state.lambda_k == 0.001
    state.update(torch.tensor([1.0]), torch.tensor([0.2]))  # k = λ_k (γ L(x) − L(G(z)))
    assert state.logged()["k"] == pytest.approx(0.001 * (0.7 * 1.0 - 0.2))
    assert VARIANTS["began"].objective_state().gamma == 0.5  # the paper's default, unchanged


def test_learning_rates_betas_and_steps_reach_the_optimisers() -> None:
    dcgan = VARIANTS["dcgan"]
    configured = configure(dcgan, {"lr": 3e-3, "beta1": 0.1, "critic_steps": 5.0})
    assert configured.name == "dcgan" and configured.paper == dcgan.paper
    assert (configured.lr_g, configured.lr_d, configured.critic_steps) == (3e-3, 3e-3, 5)
    assert isinstance(configured.critic_steps, int)
    assert configured.betas == (0.1, dcgan.betas[1])  # beta2 kept
    optimizer = make_optimizer(configured, [nn.Parameter(torch.zeros(1))], configured.lr_d)
    assert optimizer.param_groups[0]["lr"] == 3e-3 and optimizer.param_groups[0]["betas"] == (0.1, 0.999)
    one = configure(dcgan, {"lr_g": 1e-3, "beta2": 0.9})
    assert (one.lr_g, one.lr_d, one.betas) == (1e-3, dcgan.lr_d, (0.5, 0.9))
    assert configure(dcgan, {}) == dcgan


def test_weight_clip_and_latent_dim() -> None:
    wgan = configure(VARIANTS["wgan"], {"weight_clip": 0.05, "latent_dim": 16})
    assert (wgan.weight_clip, wgan.latent_dim) == (0.05, 16)
    vae = configure(VARIANTS["vae"], {"latent_dim": 8})
    encoder = vae.build_discriminator(1, 28)  # the encoder's z has the decoder's new size
    mean, log_variance = encoder(torch.zeros(2, 1, 28, 28))
    assert mean.shape == log_variance.shape == (2, 8)
    assert vae.build_generator(vae.latent_dim, 1, 28)(torch.zeros(2, 8)).shape == (2, 1, 28, 28)


@pytest.mark.parametrize(
    "variant,settings,says",
    [
        (
            "dcgan",
            {"lrr": 1e-3},
            r"unknown setting 'lrr' for variant dcgan; it takes: lr, lr_g.*did you mean 'lr'",
        ),
        ("dcgan", {"penalty_weight": 1.0}, r"dcgan has no setting 'penalty_weight': it has no penalty"),
        ("wgan", {"beta1": 0.5}, r"wgan has no setting 'beta1': it trains with rmsprop.*takes: lr, lr_g"),
        ("dcgan", {"gamma": 0.5}, r"dcgan has no setting 'gamma': it has no equilibrium ratio"),
        ("dcgan", {"weight_clip": 0.1}, r"dcgan has no setting 'weight_clip': it does not clip"),
        ("vae", {"critic_steps": 5}, r"vae has no setting 'critic_steps': .*joint loss"),
        ("dcgan", {"lr": 0.0}, r"lr must be > 0; got 0.0"),
        ("dcgan", {"lr_d": -1e-4}, r"lr_d must be > 0"),
        ("dcgan", {"beta1": 1.0}, r"beta1 must be < 1; got 1.0 \(beta1: Adam's beta1, in \[0, 1\)\)"),
        ("dcgan", {"beta2": -0.1}, r"beta2 must be >= 0"),
        ("dcgan", {"critic_steps": 2.5}, r"critic_steps must be an integer; got 2.5"),
        ("dcgan", {"critic_steps": 0}, r"critic_steps must be an integer >= 1"),
        ("dcgan", {"latent_dim": True}, r"latent_dim must be an integer"),
        ("wgan-gp", {"penalty_weight": 0}, r"penalty_weight must be > 0"),
        ("wgan", {"weight_clip": float("nan")}, r"weight_clip must be a finite number"),
        ("began", {"gamma": 1.5}, r"gamma must be <= 1"),
        ("dcgan", {"lr": 1e-3, "lr_g": 1e-4}, r"lr and lr_g set the same learning rate; give lr .* not both"),
    ],
)
def test_refusals_say_what_is_valid(variant: str, settings: dict, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        configure(VARIANTS[variant], settings)


@pytest.mark.parametrize("name", VARIANTS.names())
def test_every_declared_search_space_names_settings_its_variant_takes(name: str) -> None:
    variant = VARIANTS[name]
    for setting in variant.search_space:
        check_name(variant, setting)
    assert set(variant.search_space) <= set(accepted_settings(variant)) <= set(SETTINGS)


def test_variant_settings_are_the_defaults_the_search_space_covers() -> None:
    assert variant_settings(VARIANTS["wgan-gp"]) == {
        "lr": 1e-4,
        "beta1": 0.0,
        "beta2": 0.9,
        "critic_steps": 5,
        "penalty_weight": 10.0,
    }
    assert variant_settings(VARIANTS["wgan"]) == {"lr": 5e-5, "critic_steps": 5, "weight_clip": 0.01}
    assert variant_settings(VARIANTS["began"])["gamma"] == 0.5
    assert variant_settings(VARIANTS["vae"], ["latent_dim"]) == {"latent_dim": 100}
    split = configure(VARIANTS["dcgan"], {"lr_g": 1e-3})
    assert variant_settings(split, ["lr"]) == {"lr_g": 1e-3, "lr_d": 2e-4}  # lr stands for two values
    configured = configure(VARIANTS["wgan-gp"], {"penalty_weight": 3.0, "beta2": 0.5})
    assert variant_settings(configured, ["penalty_weight", "beta2"]) == {"penalty_weight": 3.0, "beta2": 0.5}
    with pytest.raises(ValueError, match="dcgan has no setting 'gamma'"):
        variant_settings(VARIANTS["dcgan"], ["gamma"])
