"""GAM battles (Im, Kim, Jiang & Memisevic 2016, arXiv:1602.05110, sec. 4) with toy players whose
error rates can be worked out by hand.

The toy world: images of one grey level (4 x 4 pixels, levels k / 255); every toy discriminator
scores an image by its top-left pixel (brighter = "more real"), so a threshold between two levels
classifies exactly. Real held-out images have levels 128, 153, 179 and 204 in equal numbers.
"""

from __future__ import annotations

import csv
import math
import time

import numpy as np
import pytest
import torch
from torch import nn

from ganbench.metrics.gam import battle_outcome, best_threshold
from ganbench.metrics.spec import GeneratorHandle, Player
from ganbench.registry import METRICS

CPU = torch.device("cpu")
REAL_LEVELS = (128, 153, 179, 204)


def signed(level: int) -> float:
    """The score of an 8-bit image of this level: its pixel in [-1, 1] (uint8_to_signed, float32)."""
    return float(torch.tensor(level, dtype=torch.uint8).float().div(127.5).sub(1.0))


class LevelGenerator(nn.Module):
    """z [B, 1] -> constant images [B, 1, 4, 4] in [-1, 1]: level ``levels[i]`` with chance ``probs[i]``."""

    def __init__(self, levels: tuple[int, ...], probs: tuple[float, ...]):
        super().__init__()
        self.register_buffer("values", torch.tensor([2 * k / 255 - 1 for k in levels]))
        self.register_buffer("edges", torch.tensor(np.cumsum(probs)[:-1], dtype=torch.float32))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        pick = torch.bucketize(torch.special.ndtr(z[:, 0]).contiguous(), self.edges)
        return self.values[pick].view(-1, 1, 1, 1).expand(-1, 1, 4, 4)


class TopLeft(nn.Module):
    """images [B, C, H, W] in [-1, 1] -> the top-left pixel [B]; ``sign`` -1 prefers dark images."""

    def __init__(self, sign: float = 1.0):
        super().__init__()
        self.sign = sign

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.sign * x[:, 0, 0, 0]


def player(levels: tuple[int, ...], probs: tuple[float, ...], judge: nn.Module | None = None) -> Player:
    return Player(GeneratorHandle(LevelGenerator(levels, probs).eval(), 1, CPU), judge or TopLeft())


def real_images(per_level: int = 100) -> np.ndarray:
    levels = np.repeat(np.array(REAL_LEVELS, dtype=np.float32), per_level) / 255
    return np.broadcast_to(levels[:, None, None, None], (len(levels), 1, 4, 4)).copy()


#: "good": mostly level 102 (darker than any real image), 30 % level 166 (between two real levels);
#: "bad": level 51 only; "bright": level 191, brighter than most real images.
GOOD, BAD, BRIGHT = ((102, 166), (0.7, 0.3)), ((51,), (1.0,)), ((191,), (1.0,))


def test_best_threshold_by_hand() -> None:
    """Real 2, 3, 4 vs fake -1, 0, 1, 2.5: calling <= 1 fake errs on one fake in four (balanced error
    1/8); calling <= 2.5 fake errs on one real in three (1/6); so t = 1.5, midway between 1 and 2."""
    assert best_threshold(np.array([2.0, 3.0, 4.0]), np.array([-1.0, 0.0, 1.0, 2.5])) == 1.5
    # two equally good thresholds (1.5 and 2.75, balanced error 1/6 each): the middle one in order
    assert best_threshold(np.array([2.0, 3.0, 4.0]), np.array([0.0, 1.0, 2.5])) == 2.75
    # perfectly separated: midway in the gap; reversed: everything called fake is best
    assert best_threshold(np.array([5.0, 6.0]), np.array([1.0, 2.0])) == 3.5
    assert best_threshold(np.array([1.0, 2.0]), np.array([5.0, 6.0])) == math.inf
    # NaN scores count as the lowest: the threshold sits just under the lowest real score
    t = best_threshold(np.array([1.0, 2.0]), np.array([np.nan, np.nan]))
    assert t < 1.0 and t == np.nextafter(1.0, -np.inf)


def test_the_battle_rule() -> None:
    """M1 wins when r_samples < 1 and r_test within a factor 1 + tol of 1; swapped, M2 wins."""
    assert battle_outcome(0.10, 0.11, 0.2, 0.5, tolerance=0.2) == "m1"
    assert battle_outcome(0.11, 0.10, 0.5, 0.2, tolerance=0.2) == "m2"
    assert battle_outcome(0.10, 0.13, 0.2, 0.5, tolerance=0.2) == "void"  # r_test = 0.77 < 1 / 1.2
    assert battle_outcome(0.10, 0.13, 0.2, 0.5, tolerance=0.3) == "m1"
    assert battle_outcome(0.10, 0.10, 0.3, 0.3, tolerance=0.0) == "tie"
    assert battle_outcome(0.0, 0.0, 0.0, 0.4, tolerance=0.2) == "m1"  # 0 / 0 counts as equal
    assert battle_outcome(0.0, 0.01, 0.0, 0.4, tolerance=10.0) == "void"  # r_test = 0: never ≈ 1


def play(players: dict[str, Player], **params: object) -> dict[str, dict[str, float]]:
    return METRICS["gam"](real=real_images(), players=players, **{"n_samples": 400, **params})


def test_the_better_generator_wins_by_hand(tmp_path) -> None:
    """good: its D's threshold falls midway between 102 and 128 (balanced error 0.15; every other
    cut errs more), so D_good calls every real image real and the bad model's images fake.
    bad: its D's threshold falls midway between 51 and 128, so D_bad calls all of good's images real.
    Test errors 0 and 0 (r_test = 1), sample errors 0 (D_good on G_bad) and 1 (D_bad on G_good):
    r_samples = 0, good wins."""
    out = play({"good": player(*GOOD), "bad": player(*BAD)}, artifact_dir=tmp_path)
    assert out["good"] == {"gam_wins": 1.0, "gam_losses": 0.0, "gam_void": 0.0, "gam_win_rate": 1.0}
    assert out["bad"] == {"gam_wins": 0.0, "gam_losses": 1.0, "gam_void": 0.0, "gam_win_rate": 0.0}
    with (tmp_path / "gam_battles.csv").open() as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["m1"], row["m2"], row["winner"]) == ("good", "bad", "good")
    assert float(row["test_error_m1"]) == float(row["test_error_m2"]) == 0.0
    assert float(row["sample_error_d1_on_g2"]) == 0.0 and float(row["sample_error_d2_on_g1"]) == 1.0
    assert float(row["r_test"]) == 1.0 and float(row["r_samples"]) == 0.0
    assert float(row["threshold_d1"]) == pytest.approx((signed(102) + signed(128)) / 2, abs=1e-12)
    assert float(row["threshold_d2"]) == pytest.approx((signed(51) + signed(128)) / 2, abs=1e-12)


def test_swapping_the_models_swaps_the_winner(tmp_path) -> None:
    forward = play({"good": player(*GOOD), "bad": player(*BAD)})
    backward = play({"bad": player(*BAD), "good": player(*GOOD)}, artifact_dir=tmp_path)
    assert backward == forward  # per variant, whatever the order
    with (tmp_path / "gam_battles.csv").open() as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["m1"], row["m2"], row["winner"]) == ("bad", "good", "good")
    assert float(row["r_samples"]) == math.inf  # 1 / 0: the inverse of the forward battle's 0


def test_a_discriminator_worse_on_real_data_voids_its_battles(tmp_path) -> None:
    """bright: its own samples (191) sit among the real levels, so its best threshold (balanced
    error 3/8: calling 128-179 fake) errs on three real images in four; against test errors of 0,
    r_test is infinite and both of its battles are void. good vs bad is still decided."""
    players = {"good": player(*GOOD), "bad": player(*BAD), "bright": player(*BRIGHT)}
    out = play(players, artifact_dir=tmp_path)
    assert out["bright"] == {"gam_wins": 0.0, "gam_losses": 0.0, "gam_void": 2.0}  # no win rate: none decided
    assert out["good"]["gam_void"] == out["bad"]["gam_void"] == 1.0
    assert out["good"]["gam_win_rate"] == 1.0 and out["bad"]["gam_win_rate"] == 0.0
    with (tmp_path / "gam_battles.csv").open() as handle:
        rows = {(r["m1"], r["m2"]): r for r in csv.DictReader(handle)}
    assert len(rows) == 3
    assert float(rows["good", "bright"]["test_error_m2"]) == pytest.approx(0.75, abs=0.02)
    assert rows["good", "bright"]["winner"] == rows["bad", "bright"]["winner"] == "void"


def test_seeded_and_leaves_modes_alone() -> None:
    players = {"good": player(*GOOD), "bad": player(*BAD)}
    players["good"].discriminator.train()
    players["bad"].discriminator.eval()
    a = play(players, seed=3)
    assert players["good"].discriminator.training and not players["bad"].discriminator.training
    assert a == play(players, seed=3)


def test_rejects_bad_input() -> None:
    players = {"good": player(*GOOD), "bad": player(*BAD)}
    with pytest.raises(ValueError, match="at least two"):
        play({"good": players["good"]})
    with pytest.raises(ValueError, match="n_samples must be an integer"):
        play(players, n_samples=0)
    with pytest.raises(ValueError, match="test_tolerance must be >= 0"):
        play(players, test_tolerance=-0.1)
    with pytest.raises(ValueError, match="real images are"):
        METRICS["gam"](real=np.zeros((10, 1, 5, 5), dtype=np.float32), players=players)


def test_four_variant_networks_battle_in_reasonable_time() -> None:
    """Untrained networks of the real variants (28 x 28 digits' shape): every pair battles."""
    from ganbench.registry import VARIANTS
    from ganbench.training.loop import build_networks

    players = {}
    for i, name in enumerate(["vanilla", "dcgan", "lsgan", "wgan-gp"]):
        variant = VARIANTS[name]
        g, d = build_networks(variant, 1, 28, seed=i)
        players[name] = Player(GeneratorHandle(g.eval(), variant.latent_dim, CPU), d.eval())
    real = np.random.default_rng(0).random((400, 1, 28, 28), dtype=np.float32)
    start = time.perf_counter()
    out = METRICS["gam"](real=real, players=players, n_samples=500)
    assert time.perf_counter() - start < 60  # about 2 s on 2 CPU cores
    assert set(out) == set(players)
    for row in out.values():
        assert row["gam_wins"] + row["gam_losses"] + row["gam_void"] <= 3
