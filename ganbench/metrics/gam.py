"""Generative Adversarial Metric (GAM): battles between pairs of GANs, judged by each other's discriminator.

Im, Kim, Jiang & Memisevic 2016, "Generating images with recurrent adversarial networks"
(arXiv:1602.05110), section 4, "Model evaluation: battle between GANs"; Borji 2019
(arXiv:1802.03446) lists it as the Generative Adversarial Metric. No reference implementation was
found; this follows the paper's definitions.

A battle between M1 = (G1, D1) and M2 = (G2, D2) compares two ratios of classification error
rates ε:

- the test ratio ``r_test = ε(D1(x_test)) / ε(D2(x_test))``: how often each discriminator calls
  real held-out images fake;
- the sample ratio ``r_samples = ε(D1(G2(z))) / ε(D2(G1(z)))``: how often each discriminator
  calls the *other* model's samples real.

M1 wins when ``r_samples < 1`` (its generator fools D2 more often than G2 fools D1) and
``r_test ≈ 1`` (neither discriminator is worse on real data, so neither win comes from a
discriminator that calls everything fake); M2 wins when ``r_samples > 1`` and ``r_test ≈ 1``.
Here ``r_test ≈ 1`` means ``max(ε1, ε2) <= (1 + test_tolerance) · min(ε1, ε2)`` (the ratio within
[1 / (1 + tol), 1 + tol], symmetric in the two models and free of division, so 0 / 0 counts as
equal); a battle that fails it is *void*. ``r_samples = 1`` (equal errors, including 0 = 0) is a
tie. Swapping M1 and M2 swaps the winner exactly.

How a discriminator classifies. The paper's discriminators output probabilities (threshold 1/2);
ganbench's output raw scores of different kinds (BCE logits, least-squares targets, unbounded WGAN
critic values), so no common threshold exists. Each D_i classifies at its own decision boundary as
trained: the threshold that best separates one half of the real held-out images (the calibration
half) from ``n_samples`` images of its own generator G_i, by balanced error ``(FNR + FPR) / 2``
(score > threshold = real), placed midway between the two scores it falls between; among equally
good thresholds, the middle one. ``r_test`` is then measured on the other half of the real
images, so the threshold is not fitted to the images it is tested on, and ``ε(D_i(G_j))`` on
G_j's samples (``n_samples`` per generator, 8-bit like stored images, ``seed``).

Battles: every pair of the seed's variants, once. Per variant: ``gam_wins``, ``gam_losses``,
``gam_void`` (its battles voided by the test-ratio rule) and ``gam_win_rate`` = wins / (wins +
losses), left out when none of its battles was decided. With ``artifact_dir``, ``gam_battles.csv``
holds one row per battle: both models, both test errors, both sample errors, both thresholds,
r_test, r_samples and the outcome.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ganbench.images import uint8_to_signed, unit_to_signed
from ganbench.metrics._players import discriminator_scores, generate_uint8, player_generator
from ganbench.metrics.spec import Player, metric
from ganbench.numerics.checks import check_images, check_seed, integer, real_number


def best_threshold(real_scores: np.ndarray, fake_scores: np.ndarray) -> float:
    """The threshold t (score > t = real) with the least balanced error on the two score sets.

    Args:
        real_scores: float [N_r] of real images; fake_scores: float [N_f] of generated ones. NaN
            counts as the lowest score (fake).

    Returns:
        t midway between the two consecutive distinct scores it separates (the lower one when the
        upper is infinite, the float just under the upper one when the lower is -inf), or
        -inf / +inf to call everything real / fake; among equally good thresholds, the middle one
        (in order).
    """
    r = np.sort(np.where(np.isnan(real_scores), -np.inf, np.asarray(real_scores, dtype=np.float64)))
    f = np.sort(np.where(np.isnan(fake_scores), -np.inf, np.asarray(fake_scores, dtype=np.float64)))
    values = np.unique(np.concatenate([r, f]))  # sorted distinct scores
    # candidate k calls {<= values[k - 1]} fake and {>= values[k]} real, k = 0 .. len(values)
    real_fake = np.concatenate([[0], np.searchsorted(r, values, side="right")])  # real called fake
    fake_real = len(f) - np.concatenate([[0], np.searchsorted(f, values, side="right")])  # fake called real
    error = real_fake * len(f) + fake_real * len(r)  # balanced error x 2 N_r N_f, in exact integers
    best = np.flatnonzero(error == error.min())
    k = int(best[len(best) // 2])
    if k == 0:
        return -math.inf
    if k == len(values):
        return math.inf
    low, high = float(values[k - 1]), float(values[k])
    if math.isinf(low):  # only -inf (or NaN) below: the largest float under high
        return float(np.nextafter(high, -np.inf))
    middle = low + (high - low) / 2
    return middle if middle < high else low  # adjacent floats, or high = inf: low itself splits them


@dataclass(frozen=True)
class Battle:
    """One battle's numbers: model names, error rates, thresholds, ratios and the outcome."""

    m1: str
    m2: str
    test_error_1: float  # ε(D1(x_test))
    test_error_2: float  # ε(D2(x_test))
    sample_error_1: float  # ε(D1(G2(z))): D1 calls G2's samples real
    sample_error_2: float  # ε(D2(G1(z)))
    threshold_1: float
    threshold_2: float
    outcome: str  # m1, m2, "tie" or "void"

    @property
    def r_test(self) -> float:
        return _ratio(self.test_error_1, self.test_error_2)

    @property
    def r_samples(self) -> float:
        return _ratio(self.sample_error_1, self.sample_error_2)


def _ratio(a: float, b: float) -> float:
    """a / b with 0 / 0 = 1 and a / 0 = inf (for the record; decisions compare a and b directly)."""
    if b == 0:
        return 1.0 if a == 0 else math.inf
    return a / b


def battle_outcome(
    test_error_1: float, test_error_2: float, sample_error_1: float, sample_error_2: float, tolerance: float
) -> str:
    """The paper's rule: ``"m1"``, ``"m2"``, ``"tie"`` (r_samples = 1) or ``"void"`` (r_test not ≈ 1)."""
    if max(test_error_1, test_error_2) > (1 + tolerance) * min(test_error_1, test_error_2):
        return "void"
    if sample_error_1 < sample_error_2:
        return "m1"
    if sample_error_2 < sample_error_1:
        return "m2"
    return "tie"


def write_battles(directory: Path, battles: list[Battle]) -> None:
    """``gam_battles.csv`` in ``directory``: one row per battle (see the module docstring)."""
    directory.mkdir(parents=True, exist_ok=True)
    columns = [
        "m1",
        "m2",
        "test_error_m1",
        "test_error_m2",
        "sample_error_d1_on_g2",
        "sample_error_d2_on_g1",
        "threshold_d1",
        "threshold_d2",
        "r_test",
        "r_samples",
        "winner",
    ]
    with (directory / "gam_battles.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for b in battles:
            winner = {"m1": b.m1, "m2": b.m2}.get(b.outcome, b.outcome)
            numbers = [b.test_error_1, b.test_error_2, b.sample_error_1, b.sample_error_2]
            numbers += [b.threshold_1, b.threshold_2, b.r_test, b.r_samples]
            writer.writerow([b.m1, b.m2, *(repr(float(v)) for v in numbers), winner])


@metric(
    "gam",
    space="models",
    level="run",
    directions={"gam_wins": "higher", "gam_losses": "lower", "gam_win_rate": "higher", "gam_void": "lower"},
    reference=(
        "Im, Kim, Jiang & Memisevic 2016 (arXiv:1602.05110), sec. 4: battles between GANs, r_test and "
        "r_samples; every pair of a seed's variants"
    ),
    runtime=("device", "artifact_dir"),
    notes=(
        "each discriminator classifies at the threshold that best separates (balanced error) half the real "
        "held-out images from its own generator's samples (the paper's D output a probability, threshold "
        "1/2; ganbench's raw scores have no common scale); r_test on the other half; r_test ≈ 1 means within "
        "a factor 1 + test_tolerance"
    ),
    min_samples=4,
    interval="none",
    interval_note="run-level: battles between one seed's models, no sample sets to resample",
    aspects={
        "gam_wins": ("fidelity", "diversity"),
        "gam_losses": ("fidelity", "diversity"),
        "gam_win_rate": ("fidelity", "diversity"),
    },
)
def gam(
    *,
    real: np.ndarray,
    players: Mapping[str, Player],
    n_samples: int = 1000,
    test_tolerance: float = 0.2,
    seed: int = 0,
    device: str | torch.device = "cpu",
    artifact_dir: Path | None = None,
) -> dict[str, dict[str, float]]:
    """GAM battles between every pair of ``players``.

    Args:
        real: real held-out images, pixels [N, C, H, W] in [0, 1], N >= 4 (not the training split,
            which the discriminators have seen); split at random (``seed``) into a calibration half
            (thresholds) and a test half (r_test).
        players: variant name -> :class:`~ganbench.metrics.spec.Player`, at least two.
        n_samples: images drawn from each generator (they set its own discriminator's threshold
            and are judged by the others).
        test_tolerance: r_test counts as 1 within a factor ``1 + test_tolerance`` (0.2: within
            [0.83, 1.2]).
        seed: the split of the real images and the latent codes (each generator its own stream, so
            the outcome of a battle does not depend on the order of ``players``).
        device: where the discriminators judge (runtime, not recorded).
        artifact_dir: where to write ``gam_battles.csv`` (runtime; nothing is written when None).

    Returns:
        Per variant: ``gam_wins``, ``gam_losses``, ``gam_void`` (counts over its battles, one
        against each other variant) and ``gam_win_rate`` (wins over decided battles; left out
        when none was decided).
    """
    names = list(players)
    if len(names) < 2:
        raise ValueError(f"GAM battles need at least two players (variants); got {len(names)}")
    n_samples = integer("n_samples", n_samples, minimum=1)
    test_tolerance = real_number("test_tolerance", test_tolerance, low=0.0)
    seed = check_seed(seed)
    pixels = check_images("real", real, min_images=4)
    dev = torch.device(device)

    order = torch.randperm(len(pixels), generator=torch.Generator().manual_seed(seed))
    half = len(pixels) // 2
    calibration, test = unit_to_signed(pixels[order[:half]]), unit_to_signed(pixels[order[half:]])
    samples = {}
    for name in names:
        rng = player_generator(seed, sorted(names).index(name))
        samples[name] = uint8_to_signed(generate_uint8(players[name].generator, n_samples, rng))
        if samples[name].shape[1:] != test.shape[1:]:
            raise ValueError(
                f"generator of {name!r} makes images of shape {tuple(samples[name].shape[1:])}; "
                f"real images are {tuple(test.shape[1:])}"
            )

    def scores(name: str, images: torch.Tensor) -> np.ndarray:
        return discriminator_scores(players[name].discriminator, images, dev).numpy()

    threshold = {n: best_threshold(scores(n, calibration), scores(n, samples[n])) for n in names}
    test_error = {n: float(np.mean(scores(n, test) <= threshold[n])) for n in names}  # real called fake

    def fooled(judge: str, maker: str) -> float:
        """ε(D_judge(G_maker)): the share of maker's samples the judge calls real."""
        return float(np.mean(scores(judge, samples[maker]) > threshold[judge]))

    battles = []
    for a, b in itertools.combinations(names, 2):
        sample_a, sample_b = fooled(a, b), fooled(b, a)
        outcome = battle_outcome(test_error[a], test_error[b], sample_a, sample_b, test_tolerance)
        battles.append(
            Battle(
                a, b, test_error[a], test_error[b], sample_a, sample_b, threshold[a], threshold[b], outcome
            )
        )
    if artifact_dir is not None:
        write_battles(Path(artifact_dir), battles)

    out: dict[str, dict[str, float]] = {}
    for name in names:
        mine = [(bt, bt.m1 == name) for bt in battles if name in (bt.m1, bt.m2)]
        wins = sum(bt.outcome == ("m1" if first else "m2") for bt, first in mine)
        losses = sum(bt.outcome == ("m2" if first else "m1") for bt, first in mine)
        row = {
            "gam_wins": float(wins),
            "gam_losses": float(losses),
            "gam_void": float(sum(bt.outcome == "void" for bt, _ in mine)),
        }
        if wins + losses:
            row["gam_win_rate"] = wins / (wins + losses)
        out[name] = row
    return out
