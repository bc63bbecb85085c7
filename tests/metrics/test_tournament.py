"""Tests for the tournament, the run-level measure: discriminators judge the other variants' generators."""

from __future__ import annotations

import math
import time

import pytest
import torch
from helpers import BankGenerator
from torch import nn

from ganbench.datasets import Dataset
from ganbench.images import uint8_to_pixels
from ganbench.metrics.spec import GeneratorHandle, Player
from ganbench.metrics.tournament import fool_share
from ganbench.registry import METRICS

PIXELS = 28 * 28


def test_fool_share_is_a_rank_statistic() -> None:
    real = torch.tensor([0.0, 1.0, 2.0, 3.0])
    assert fool_share(real + 10, real) == 1.0
    assert fool_share(real - 10, real) == 0.0
    assert fool_share(torch.zeros(5), torch.zeros(3)) == 0.5  # a constant judge: all ties
    # invariant to any increasing transform of the scores (logits vs critic values)
    fake = torch.tensor([0.5, 2.5, -1.0])
    assert (
        fool_share(fake, real) == fool_share(torch.exp(3 * fake), torch.exp(3 * real)) == pytest.approx(1 / 3)
    )


class Roughness(nn.Module):
    """Minus the mean squared horizontal and vertical pixel differences: smooth digits score high."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dx = (x[..., 1:] - x[..., :-1]).pow(2).flatten(1).mean(1)
        dy = (x[..., 1:, :] - x[..., :-1, :]).pow(2).flatten(1).mean(1)
        return -(dx + dy)


class DistanceToMean(nn.Module):
    """Minus the squared distance to a fixed mean image [1, 28, 28]."""

    def __init__(self, mean: torch.Tensor):
        super().__init__()
        self.register_buffer("mean", mean)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return -(x - self.mean).pow(2).flatten(1).sum(1)


class Brightness(nn.Module):
    """Minus the distance of the mean intensity from a fixed level (digits are mostly dark)."""

    def __init__(self, level: float):
        super().__init__()
        self.level = level

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return -(x.flatten(1).mean(1) - self.level).abs()


def toy_players(digits: torch.Tensor) -> dict[str, Player]:
    bank, reference = digits[:500], digits[500:1000].float() / 127.5 - 1.0
    cpu = torch.device("cpu")

    def handle(p_real: float) -> GeneratorHandle:
        return GeneratorHandle(BankGenerator(bank, p_real).eval(), 2 + PIXELS, cpu)

    return {
        "perfect": Player(handle(1.0), Roughness()),
        "between": Player(handle(0.5), DistanceToMean(reference.mean(0))),
        "noise": Player(handle(0.0), Brightness(float(reference.mean()))),
    }


@pytest.fixture(scope="module")
def digits(mnist_5k: Dataset) -> torch.Tensor:
    return mnist_5k.train.images[:1000]


@pytest.fixture(scope="module")
def held_out(mnist_5k: Dataset) -> torch.Tensor:
    return mnist_5k.test.images[:500]


def play_tournament(players: dict[str, Player], held_out: torch.Tensor, **params: object) -> dict:
    """The registered measure on uint8 held-out images, as the pipeline calls it."""
    return METRICS["tournament"](real=uint8_to_pixels(held_out), players=players, **params)


def test_ranks_generators_by_quality(digits: torch.Tensor, held_out: torch.Tensor) -> None:
    out = play_tournament(toy_players(digits), held_out, n_matches=60, batch_size=64, seed=0)
    rating = {name: row["tournament_rating"] for name, row in out.items()}
    win = {name: row["tournament_win_rate"] for name, row in out.items()}
    assert rating["perfect"] > rating["between"] > rating["noise"]
    # expected win rates: 1/2 (indistinguishable), 1/4 (half its images are noise), 0
    assert win["perfect"] == pytest.approx(0.5, abs=0.2)
    assert win["between"] == pytest.approx(0.25, abs=0.15)
    assert win["noise"] == 0.0
    for row in out.values():
        assert set(row) == {*METRICS["tournament"].directions, "tournament_rating_std"}
        assert 0 < row["tournament_rating_std"] < 350
        assert all(math.isfinite(v) for v in row.values())


def test_same_seed_same_ratings(digits: torch.Tensor, held_out: torch.Tensor) -> None:
    a = play_tournament(toy_players(digits), held_out, n_matches=10, batch_size=32, seed=3)
    b = play_tournament(toy_players(digits), held_out, n_matches=10, batch_size=32, seed=3)
    c = play_tournament(toy_players(digits), held_out, n_matches=10, batch_size=32, seed=4)
    assert a == b
    assert a != c


def test_leaves_the_discriminators_mode_alone(held_out: torch.Tensor, digits: torch.Tensor) -> None:
    players = toy_players(digits)
    players["perfect"].discriminator.train()
    players["between"].discriminator.eval()
    play_tournament(players, held_out, n_matches=2, batch_size=16, seed=0)
    assert players["perfect"].discriminator.training
    assert not players["between"].discriminator.training


def test_rejects_bad_input(digits: torch.Tensor, held_out: torch.Tensor) -> None:
    players = toy_players(digits)
    with pytest.raises(ValueError, match="at least two"):
        play_tournament({"perfect": players["perfect"]}, held_out, n_matches=2, batch_size=8, seed=0)
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        METRICS["tournament"](real=held_out.float(), players=players, n_matches=2, batch_size=8, seed=0)
    with pytest.raises(ValueError, match="n_matches must be an integer"):
        play_tournament(players, held_out, n_matches=2.5, batch_size=8, seed=0)
    with pytest.raises(ValueError, match="exceeds"):
        play_tournament(players, held_out[:4], n_matches=2, batch_size=8, seed=0)


def test_four_variant_networks_play_in_reasonable_time(held_out: torch.Tensor) -> None:
    from ganbench.registry import VARIANTS
    from ganbench.training.loop import build_networks

    players = {}
    for i, name in enumerate(["vanilla", "dcgan", "lsgan", "wgan-gp"]):
        variant = VARIANTS[name]
        g, d = build_networks(variant, 1, 28, seed=i)
        handle = GeneratorHandle(g.eval(), variant.latent_dim, torch.device("cpu"))
        players[name] = Player(handle, d.eval())
    start = time.perf_counter()
    out = play_tournament(players, held_out, n_matches=20, batch_size=64, seed=0)
    assert time.perf_counter() - start < 60  # about 3 s on 2 CPU cores
    assert set(out) == set(players)
