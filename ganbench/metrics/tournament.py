"""A tournament in which the discriminators of the variants of one run judge each other's generators.

Im, Kim, Jiang & Memisevic 2016, "Generating images with recurrent adversarial networks" (its
Generative Adversarial Metric, GAM, arXiv:1602.05110; ``metrics/gam.py``) compare two
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
from collections.abc import Mapping

import numpy as np
import torch

from ganbench.images import uint8_to_signed, unit_to_signed
from ganbench.metrics._players import discriminator_scores, generate_uint8
from ganbench.metrics.spec import Player, metric
from ganbench.numerics.checks import check_images, check_seed, positive_int, real_number
from ganbench.numerics.glicko2 import DEFAULT_TAU, Glicko2Rating, glicko2_update


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


@metric(
    "tournament",
    space="models",
    level="run",
    directions={
        "tournament_rating": "higher",
        "tournament_win_rate": "higher",
        "tournament_d_rating": "higher",
    },
    reference=(
        "Im et al. 2016 GAM (arXiv:1602.05110); Olsson et al. 2018 skill rating (arXiv:1808.04888); "
        "Glicko-2 of Glickman 2012; cross-variant matches judged by rank (AUC share), Bernoulli outcome"
    ),
    runtime=("device",),
    min_samples=lambda p: p["batch_size"],
    interval="none",
    interval_note=(
        "run-level: matches between one seed's models, no sample sets to resample; the Glicko-2 "
        "rating deviation is in tournament_rating_std"
    ),
)
def tournament(
    *,
    real: np.ndarray,
    players: Mapping[str, Player],
    n_matches: int = 100,
    batch_size: int = 128,
    tau: float = DEFAULT_TAU,
    seed: int = 0,
    device: str | torch.device = "cpu",
) -> dict[str, dict[str, float]]:
    """Rate the generators and discriminators of ``players`` by matches across variants.

    Args:
        real: held-out real images, pixels [N, C, H, W] in [0, 1], N >= ``batch_size`` (not
            the training split, which the discriminators have seen).
        players: variant name -> :class:`~ganbench.metrics.spec.Player`, at least two.
        n_matches: rounds; each generator plays one match per round, against another variant's
            discriminator.
        batch_size: real and generated images shown per match.
        tau: the Glicko-2 system constant.
        seed: drives pairings, batches, latent codes and outcomes.
        device: where the discriminators live and judge (runtime, not recorded).

    Returns:
        Per variant: ``tournament_rating`` (its generator's Glicko-2 rating), ``tournament_rating_std``
        (that rating's deviation, a standard deviation in rating points), ``tournament_win_rate``
        (share of its generator's matches won) and ``tournament_d_rating`` (its discriminator's
        rating).
    """
    names = list(players)
    if len(names) < 2:
        raise ValueError(f"a tournament needs at least two players (variants); got {len(names)}")
    n_matches = positive_int("n_matches", n_matches)
    batch_size = positive_int("batch_size", batch_size)
    tau = real_number("tau", tau, low=0.0, open_low=True)
    seed = check_seed(seed)
    pixels = check_images("real", real)
    if pixels.shape[0] < batch_size:
        raise ValueError(f"batch_size {batch_size} exceeds the {pixels.shape[0]} real images")
    dev = torch.device(device)
    real_signed = unit_to_signed(pixels)

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
            fake = uint8_to_signed(generate_uint8(players[names[j]].generator, batch_size, data_rng)).to(dev)
            if fake.shape[1:] != real_signed.shape[1:]:
                raise ValueError(
                    f"generator of {names[j]!r} makes images of shape {tuple(fake.shape[1:])}; "
                    f"real images are {tuple(real_signed.shape[1:])}"
                )
            idx = torch.randperm(real_signed.shape[0], generator=data_rng)[:batch_size]
            batch = torch.cat([real_signed[idx].to(dev), fake])
            scores = discriminator_scores(players[names[judge[j]]].discriminator, batch, dev)
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
