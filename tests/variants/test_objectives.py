"""The objectives of Lucic et al.'s model set, and NETWORKS:OBJECTIVE composition."""

import math

import pytest
import torch
from torch import nn

from ganbench.config import ConfigError, RunConfig, TrainConfig, check_config
from ganbench.losses import dragan_penalty, gradient_penalty, hinge_discriminator_loss, hinge_generator_loss
from ganbench.networks import ConvDiscriminator, MLPDiscriminator, Negated, with_spectral_norm
from ganbench.registry import VARIANTS, UnknownNameError
from ganbench.training.loop import build_networks, make_optimizer, train
from ganbench.variants.began import BeganEquilibrium
from ganbench.variants.search_space import Choice, LogUniform, Uniform
from ganbench.variants.vae import negative_elbo

SEARCHABLE = {
    "lr",
    "lr_g",
    "lr_d",
    "beta1",
    "beta2",
    "critic_steps",
    "penalty_weight",
    "weight_clip",
    "gamma",
}


class _Slope(nn.Module):
    """D(x) = s · Σ x / ‖1‖: its input gradient has norm |s| everywhere."""

    def __init__(self, slope: float, size: int) -> None:
        super().__init__()
        self.slope, self.size = slope, size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.slope * x.flatten(1).sum(dim=1) / self.size**0.5


@pytest.mark.parametrize("penalty", [gradient_penalty, dragan_penalty])
@pytest.mark.parametrize("slope,expected", [(1.0, 0.0), (2.0, 10.0), (0.0, 10.0)])
def test_gradient_penalties_measure_the_distance_of_the_gradient_norm_from_one(
    penalty, slope: float, expected: float
) -> None:
    real, fake = torch.rand(8, 1, 4, 4), torch.rand(8, 1, 4, 4)
    value = penalty(_Slope(slope, 16), real, fake, torch.Generator().manual_seed(0))
    assert value.item() == pytest.approx(expected, abs=1e-5)  # λ = 10 by default


def test_hinge_losses() -> None:
    assert (
        hinge_discriminator_loss(torch.tensor([2.0]), torch.tensor([-2.0])).item() == 0.0
    )  # both margins met
    assert hinge_discriminator_loss(torch.tensor([0.0]), torch.tensor([0.0])).item() == 2.0
    assert hinge_generator_loss(torch.tensor([1.0, 3.0])).item() == -2.0


def test_mm_and_ns_gan_differ_only_in_the_generator_loss() -> None:
    mm, ns = VARIANTS["mm-gan"], VARIANTS["ns-gan"]
    differing = [f for f in mm.__dataclass_fields__ if getattr(mm, f) != getattr(ns, f)]
    assert sorted(differing) == ["generator_loss", "name", "paper"]
    assert ns.build_discriminator is ConvDiscriminator  # the DCGAN networks, not vanilla's MLP


def test_wgan_clips_every_critic_weight_and_steps_rmsprop(images: torch.Tensor) -> None:
    wgan = VARIANTS["wgan"]
    result = train(wgan, images, TrainConfig(kimg=0.16, batch_size=16), seed=0, progress=False)
    assert result.status == "ok"
    assert max(p.abs().max().item() for p in result.discriminator.parameters()) <= 0.01
    assert isinstance(make_optimizer(wgan, result.generator.parameters(), wgan.lr_g), torch.optim.RMSprop)
    assert isinstance(
        make_optimizer(VARIANTS["dcgan"], result.generator.parameters(), 2e-4), torch.optim.Adam
    )


def test_spectral_norm_scales_each_layer_to_unit_largest_singular_value() -> None:
    torch.manual_seed(0)
    net = with_spectral_norm(MLPDiscriminator(1, 8, hidden=(32,)))
    x = torch.randn(16, 1, 8, 8)
    for _ in range(50):  # one power iteration per training forward pass
        net(x)
    layers = [m for m in net.modules() if isinstance(m, nn.Linear)]
    for layer in layers:
        assert torch.linalg.matrix_norm(layer.weight, ord=2).item() == pytest.approx(1.0, abs=1e-3)


def test_sngan_discriminator_is_spectrally_normalised_without_batch_norm() -> None:
    _, d = build_networks(VARIANTS["sngan"], 3, 32, seed=0)
    convs = [m for m in d.modules() if isinstance(m, nn.Conv2d)]
    assert convs and all(nn.utils.parametrize.is_parametrized(m, "weight") for m in convs)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in d.modules())


def test_composition_takes_the_networks_of_the_first_and_the_objective_of_the_second() -> None:
    combined, dcgan, hinge = VARIANTS["dcgan:hinge"], VARIANTS["dcgan"], VARIANTS["hinge"]
    assert combined.name == "dcgan:hinge"
    assert combined.build_generator is dcgan.build_generator
    assert combined.build_discriminator is dcgan.build_discriminator
    assert combined.discriminator_loss is hinge.discriminator_loss
    assert combined.generator_loss is hinge.generator_loss
    mlp_wgan = VARIANTS["vanilla:wgan"]
    assert (mlp_wgan.optimizer, mlp_wgan.weight_clip, mlp_wgan.critic_steps) == ("rmsprop", 0.01, 5)
    assert mlp_wgan.build_discriminator is MLPDiscriminator


def test_a_penalty_objective_removes_batch_norm_from_other_networks() -> None:
    _, d = build_networks(VARIANTS["dcgan:wgan-gp"], 1, 28, seed=0)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in d.modules())
    _, d = build_networks(VARIANTS["wgan-gp:dcgan"], 1, 28, seed=0)  # the critic's own networks stay BN-free
    assert not any(isinstance(m, nn.BatchNorm2d) for m in d.modules())


def test_composed_variant_trains(images: torch.Tensor) -> None:
    result = train(
        VARIANTS["vanilla:sngan"], images, TrainConfig(kimg=0.032, batch_size=16), seed=0, progress=False
    )
    assert result.status == "ok" and result.g_steps == 2


@pytest.mark.parametrize(
    "spelling,says",
    [
        ("dcgan:hing", "unknown variant 'hing' in 'dcgan:hing'"),
        ("dcgan:hinge:wgan", "combines 3 names"),
        ("dcgn", "NETWORKS:OBJECTIVE"),
    ],
)
def test_a_bad_spelling_is_refused_before_any_work(spelling: str, says: str) -> None:
    with pytest.raises(UnknownNameError, match=says):
        VARIANTS[spelling]
    with pytest.raises(ConfigError, match=says):
        check_config(RunConfig(variants=("vanilla", spelling)))
    assert spelling not in VARIANTS


def test_composed_names_pass_the_config_check_and_all_lists_only_registered_ones() -> None:
    assert check_config(RunConfig(variants=("dcgan:hinge",))).variants == ("dcgan:hinge",)
    assert ":" not in " ".join(check_config(RunConfig(variants=("all",))).variants)


@pytest.mark.parametrize("name", VARIANTS.names())
def test_every_variant_declares_its_search_space(name: str) -> None:
    space = VARIANTS[name].search_space
    assert space and set(space) <= SEARCHABLE
    if VARIANTS[name].optimizer == "rmsprop":
        assert "beta1" not in space
    if VARIANTS[name].penalty is not None:
        assert "penalty_weight" in space


def test_search_distributions_cover_their_ranges() -> None:
    lr = LogUniform(1e-5, 1e-2)
    assert lr.at(0.0) == pytest.approx(1e-5) and lr.at(1.0) == pytest.approx(1e-2)
    assert lr.at(0.5) == pytest.approx(10**-3.5)
    assert Uniform(0.0, 1.0).at(0.25) == 0.25
    assert [Choice((1, 5)).at(u) for u in (0.0, 0.49, 0.5, 1.0)] == [1, 1, 5, 5]
    with pytest.raises(ValueError):
        LogUniform(0.0, 1.0)


def test_began_equilibrium_follows_the_papers_update() -> None:
    state = BeganEquilibrium(gamma=0.5, lambda_k=0.001)
    assert state.loss_keywords()["k"].item() == 0.0  # k_0 = 0
    state.update(torch.tensor([1.0, 1.0]), torch.tensor([0.1, 0.3]))  # L(x) = 1, L(G(z)) = 0.2
    assert state.logged()["k"] == pytest.approx(0.001 * (0.5 * 1.0 - 0.2))
    assert state.logged()["convergence"] == pytest.approx(1.0 + 0.3)  # M = L(x) + |γ L(x) − L(G(z))|
    for _ in range(3000):  # a generator far ahead pushes k to its bound and no further
        state.update(torch.tensor([1.0]), torch.tensor([0.0]))
    assert state.logged()["k"] == 1.0


def test_began_trains_with_an_autoencoder_discriminator_and_logs_k(images: torch.Tensor) -> None:
    began = VARIANTS["began"]
    result = train(began, images, TrainConfig(kimg=0.16, batch_size=16, log_every=2), seed=0, progress=False)
    assert result.status == "ok" and {"k", "convergence"} <= set(result.losses[-1])
    assert 0.0 <= result.losses[-1]["k"] <= 1.0
    scores = result.discriminator(torch.rand(3, 1, 28, 28) * 2 - 1)
    assert scores.shape == (3,) and (scores >= 0).all()  # reconstruction errors
    assert Negated(result.discriminator)(torch.zeros(2, 1, 28, 28)).le(0).all()  # players read -L as realness


@pytest.mark.parametrize("spelling", ["dcgan:began", "began:hinge", "vae:dcgan", "dcgan:vae"])
def test_variants_whose_halves_belong_together_are_not_split(spelling: str) -> None:
    with pytest.raises(UnknownNameError, match="only work together"):
        VARIANTS[spelling]


class _Centred(nn.Module):
    """An encoder whose q(z | x) is N(0, I) whatever x: the KL term is exactly 0."""

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        zeros = torch.zeros(x.shape[0], 4)
        return zeros, zeros


class _Grey(nn.Module):
    """A decoder that outputs grey (probability ½) everywhere."""

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.zeros(z.shape[0], 1, 2, 2)


def test_negative_elbo_is_reconstruction_plus_kl() -> None:
    real = torch.tensor([[[[1.0, -1.0], [1.0, -1.0]]]]).repeat(3, 1, 1, 1)
    loss, parts = negative_elbo(_Grey(), _Centred(), real, torch.Generator().manual_seed(0))
    assert parts["d_loss"].item() == 0.0  # KL(N(0, I) ‖ N(0, I))
    assert parts["g_loss"].item() == pytest.approx(4 * math.log(2))  # 4 pixels, each −log ½
    assert loss.item() == pytest.approx(4 * math.log(2))


def test_vae_takes_one_joint_step_per_real_batch(images: torch.Tensor) -> None:
    vae = VARIANTS["vae"]
    result = train(vae, images, TrainConfig(kimg=0.16, batch_size=16, log_every=1), seed=0, progress=False)
    assert result.status == "ok" and result.d_steps == result.g_steps == 10
    assert result.losses[-1]["d_loss"] >= 0 and result.losses[-1]["g_loss"] > 0  # KL, reconstruction
    assert vae.discriminator_scores == "none"
