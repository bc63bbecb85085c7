"""A tournament in which the discriminators of the variants of one run judge each other's generators.

Im, Ma, Taylor & Branson 2016, "Generative Adversarial Metric" (GAM, arXiv:1602.05110) compare two
GANs by letting each one's discriminator judge the other's samples; Olsson, Bergman, Poloczek,
Rikiishi, Chu, Peterson & Mitchell 2018, "Skill Rating for Generative Models" (arXiv:1808.04888)
turn many such generator-vs-discriminator games into Glicko-2 skill ratings. This module does
the latter across the variants of a run:

Matches. Discriminator D_i is shown a batch of ``batch_size`` real images and a batch of
``batch_size`` images from generator G_j (quantised to 8 bits like every sample the pipeline
stores, so neither batch can be told apart by its number format). Raw scores of different
variants are not comparable (BCE logits, least-squares targets, unbounded critic values), so
only their order counts: G_j's *share* is the fraction of (fake, real) pairs in which D_i scores
the fake above the real one, ties counting one half (the Mann-Whitney AUC with fake as the
positive class; 0.5 = D_i cannot tell them apart, 0 = it always can). Counting ties as one half
rather than as a win makes a constant discriminator a coin flip instead of a sure loss.

Win rule. The share is the probability that D_i, shown one generated and one real image, picks
the wrong one as real; the match is that two-alternative forced choice played once: G_j wins
when a uniform threshold u ~ U(0, 1) (from ``seed``) falls below the share, else D_i wins. So a
generator's expected win rate is its mean share (0.5 at best against any discriminator), and
partially convincing generators are graded instead of all losing (a fixed threshold such as
"beats the share of a held-back real batch" makes every clearly imperfect generator lose every
match, so it cannot order two of them).

Pairings. No self-matches: a variant's discriminator was trained against its own generator,
so that game measures the end state of one training run, not skill across variants (GAM also
plays only cross pairs). Each round pairs every generator with the discriminator of another
variant through a random derangement (``seed``), so in every round each generator plays one
match and each discriminator judges one; ``n_matches`` rounds give each generator ``n_matches``
matches, spread over the other variants' discriminators.

Ratings. Generators and discriminators are rated on one Glicko-2 scale (Glickman 2012, "Example
of the Glicko-2 system"), starting at 1500 / RD 350 / volatility 0.06, system constant τ = 0.5;
a rating period is one round: every player's new rating is computed from the ratings at the
start of the round.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ganbench.metrics._spec import GeneratorHandle
from ganbench.train import images_to_unit_range

REFERENCE = (
    "Im et al. 2016 GAM (arXiv:1602.05110); Olsson et al. 2018 skill rating (arXiv:1808.04888); "
    "Glicko-2 of Glickman 2012; cross-variant matches judged by rank (AUC share), Bernoulli outcome"
)

#: Per output key: which way is better (the pipeline writes records from this). The rating's
#: deviation comes as ``tournament_rating_std`` and is stored as that record's ``std``.
DIRECTIONS: dict[str, str] = {
    "tournament_rating": "higher",
    "tournament_win_rate": "higher",
    "tournament_d_rating": "higher",
}

GLICKO2_SCALE = 173.7178  # rating points per unit of the Glicko-2 scale (Glickman, step 2)
INITIAL_RATING = 1500.0
INITIAL_RD = 350.0
INITIAL_VOLATILITY = 0.06
DEFAULT_TAU = 0.5


@dataclass(frozen=True)
class Glicko2Rating:
    """A Glicko-2 rating on the Glicko scale: rating r, rating deviation RD, volatility σ."""

    rating: float = INITIAL_RATING
    rd: float = INITIAL_RD
    volatility: float = INITIAL_VOLATILITY


def _g(phi: float) -> float:
    return 1.0 / math.sqrt(1.0 + 3.0 * phi * phi / (math.pi * math.pi))


def glicko2_update(
    player: Glicko2Rating,
    opponents: Sequence[Glicko2Rating],
    scores: Sequence[float],
    *,
    tau: float = DEFAULT_TAU,
    epsilon: float = 1e-6,
) -> Glicko2Rating:
    """One rating period of Glicko-2 for ``player`` (Glickman 2012, "Example of the Glicko-2 system").

    Args:
        player: the rating at the start of the period.
        opponents: the opponents' ratings at the start of the period, one per game.
        scores: the player's result of each game: 1 win, 0.5 draw, 0 loss.
        tau: the system constant, which limits how fast the volatility changes.
        epsilon: convergence tolerance of the volatility iteration (Illinois algorithm).

    Returns:
        The rating after the period; with no games only the RD grows, to sqrt(φ² + σ²).
    """
    if len(opponents) != len(scores):
        raise ValueError(f"one score per opponent: got {len(opponents)} opponents and {len(scores)} scores")
    mu = (player.rating - INITIAL_RATING) / GLICKO2_SCALE
    phi = player.rd / GLICKO2_SCALE
    sigma = player.volatility
    if not opponents:
        return Glicko2Rating(player.rating, math.sqrt(phi * phi + sigma * sigma) * GLICKO2_SCALE, sigma)

    v_inv = 0.0
    total = 0.0
    for opp, s in zip(opponents, scores, strict=True):
        g = _g(opp.rd / GLICKO2_SCALE)
        e = 1.0 / (1.0 + math.exp(-g * (mu - (opp.rating - INITIAL_RATING) / GLICKO2_SCALE)))
        v_inv += g * g * e * (1.0 - e)
        total += g * (float(s) - e)
    v = 1.0 / v_inv
    delta = v * total

    # step 5: the new volatility, root of f by the Illinois (regula falsi) algorithm
    a = math.log(sigma * sigma)

    def f(x: float) -> float:
        ex = math.exp(x)
        return ex * (delta * delta - phi * phi - v - ex) / (2.0 * (phi * phi + v + ex) ** 2) - (x - a) / (
            tau * tau
        )

    lo = a
    if delta * delta > phi * phi + v:
        hi = math.log(delta * delta - phi * phi - v)
    else:
        k = 1
        while f(a - k * tau) < 0:
            k += 1
        hi = a - k * tau
    f_lo, f_hi = f(lo), f(hi)
    while abs(hi - lo) > epsilon:
        c = lo + (lo - hi) * f_lo / (f_hi - f_lo)
        f_c = f(c)
        if f_c * f_hi <= 0:
            lo, f_lo = hi, f_hi
        else:
            f_lo /= 2.0
        hi, f_hi = c, f_c
    new_sigma = math.exp(lo / 2.0)

    phi_star = math.sqrt(phi * phi + new_sigma * new_sigma)
    new_phi = 1.0 / math.sqrt(1.0 / (phi_star * phi_star) + 1.0 / v)
    new_mu = mu + new_phi * new_phi * total
    return Glicko2Rating(new_mu * GLICKO2_SCALE + INITIAL_RATING, new_phi * GLICKO2_SCALE, new_sigma)


@dataclass(frozen=True)
class Player:
    """One variant of a run in the tournament.

    Attributes:
        generator: its generator (z [B, latent_dim] -> images in [0, 1]; ``latent_dim`` on the handle).
        discriminator: its discriminator, images [B, C, H, W] in [-1, 1] -> raw scores [B]; it is
            run in eval mode without gradients (its mode is restored afterwards) and must live on
            the tournament's ``device``.
    """

    generator: GeneratorHandle
    discriminator: nn.Module


def fool_share(fake_scores: torch.Tensor, real_scores: torch.Tensor) -> float:
    """Share of (fake, real) pairs in which the fake scores higher ("more real"), ties counting ½.

    Args:
        fake_scores: discriminator scores [M] of generated images.
        real_scores: scores [N] of real images, from the same discriminator.

    Returns:
        The Mann-Whitney AUC with fake as the positive class, in [0, 1]; 0.5 when the scores do
        not separate the sets. Non-finite real scores (a broken discriminator) give 0.5;
        non-finite fake scores count as detected fakes.
    """
    f, r = fake_scores.double().flatten(), real_scores.double().flatten()
    if not torch.isfinite(r).all():
        return 0.5
    f = torch.where(torch.isfinite(f), f, torch.full_like(f, -math.inf))
    above = (f[:, None] > r[None, :]).double().mean()
    ties = (f[:, None] == r[None, :]).double().mean()
    return float(above + 0.5 * ties)


def _derangement(n: int, rng: np.random.Generator) -> np.ndarray:
    """A uniformly random permutation of range(n) without fixed points (n >= 2), by rejection."""
    while True:
        perm = rng.permutation(n)
        if not np.any(perm == np.arange(n)):
            return perm


@torch.no_grad()
def _scores(discriminator: nn.Module, images: torch.Tensor) -> torch.Tensor:
    was_training = discriminator.training
    discriminator.eval()
    try:
        return discriminator(images).reshape(-1).double().cpu()
    finally:
        discriminator.train(was_training)


@torch.no_grad()
def _fake_batch(handle: GeneratorHandle, n: int, rng: torch.Generator, device: torch.device) -> torch.Tensor:
    """n generated images in [-1, 1] on ``device``, rounded to the 256 levels of a stored uint8 image."""
    z = torch.randn(n, handle.latent_dim, generator=rng)
    pixels = handle(z).to(device=device, dtype=torch.float32)
    return torch.round(pixels * 255.0) / 127.5 - 1.0


def play_tournament(
    players: Mapping[str, Player],
    real_images: torch.Tensor,
    *,
    n_matches: int = 100,
    batch_size: int = 128,
    seed: int = 0,
    device: str | torch.device = "cpu",
    tau: float = DEFAULT_TAU,
) -> dict[str, dict[str, float]]:
    """Rate the generators and discriminators of ``players`` by matches across variants.

    Args:
        players: variant name -> :class:`Player`, at least two.
        real_images: held-out real images, uint8 [N, C, H, W], N >= ``batch_size`` (not the
            training split, which the discriminators have seen).
        n_matches: rounds; each generator plays one match per round, against another variant's
            discriminator.
        batch_size: real and generated images shown per match.
        seed: drives pairings, batches, latent codes and outcomes.
        device: where the discriminators live and judge.
        tau: the Glicko-2 system constant.

    Returns:
        Per variant: ``tournament_rating`` (its generator's Glicko-2 rating), ``tournament_rating_std``
        (that rating's deviation, a standard deviation in rating points), ``tournament_win_rate``
        (share of its generator's matches won) and ``tournament_d_rating`` (its discriminator's
        rating); directions in :data:`DIRECTIONS`.
    """
    names = list(players)
    if len(names) < 2:
        raise ValueError(f"a tournament needs at least two players (variants); got {len(names)}")
    if isinstance(n_matches, bool) or not isinstance(n_matches, int) or n_matches < 1:
        raise ValueError(f"n_matches must be a positive integer; got {n_matches!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
    if real_images.dtype != torch.uint8 or real_images.ndim != 4:
        raise ValueError(
            f"real_images must be uint8 [N, C, H, W]; got {real_images.dtype} "
            f"of shape {tuple(real_images.shape)}"
        )
    if real_images.shape[0] < batch_size:
        raise ValueError(f"batch_size {batch_size} exceeds the {real_images.shape[0]} real images")
    dev = torch.device(device)
    real = images_to_unit_range(real_images)

    k = len(names)
    pair_rng = np.random.default_rng(seed)
    data_rng = torch.Generator().manual_seed(seed)
    g_ratings = [Glicko2Rating() for _ in range(k)]
    d_ratings = [Glicko2Rating() for _ in range(k)]
    wins = [0] * k
    for _ in range(n_matches):
        judge = _derangement(k, pair_rng)  # generator j meets discriminator judge[j]
        results = []
        for j in range(k):
            fake = _fake_batch(players[names[j]].generator, batch_size, data_rng, dev)
            if fake.shape[1:] != real.shape[1:]:
                raise ValueError(
                    f"generator of {names[j]!r} makes images of shape {tuple(fake.shape[1:])}; "
                    f"real images are {tuple(real.shape[1:])}"
                )
            idx = torch.randperm(real.shape[0], generator=data_rng)[:batch_size]
            scores = _scores(players[names[judge[j]]].discriminator, torch.cat([real[idx].to(dev), fake]))
            share = fool_share(scores[batch_size:], scores[:batch_size])
            won = float(pair_rng.random() < share)
            results.append(won)
            wins[j] += int(won)
        new_g = [glicko2_update(g_ratings[j], [d_ratings[judge[j]]], [results[j]], tau=tau) for j in range(k)]
        faced = {int(judge[j]): j for j in range(k)}  # discriminator i judged generator faced[i]
        new_d = [
            glicko2_update(d_ratings[i], [g_ratings[faced[i]]], [1.0 - results[faced[i]]], tau=tau)
            for i in range(k)
        ]
        g_ratings, d_ratings = new_g, new_d

    return {
        name: {
            "tournament_rating": g_ratings[i].rating,
            "tournament_rating_std": g_ratings[i].rd,
            "tournament_win_rate": wins[i] / n_matches,
            "tournament_d_rating": d_ratings[i].rating,
        }
        for i, name in enumerate(names)
    }
