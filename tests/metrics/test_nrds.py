"""NRDS (Zhang, Zhang & Wang 2018, arXiv:1801.06790) with toy generators of MNIST digits.

Known answers: the score of given curves, by the trapezoid rule of the authors' ``NRDS.m``
(github ZZUTK/Decoupled-Learning-Conditional-GAN, MATLAB ``trapz`` with unit spacing), worked out by
hand; a generator that outputs real digits is the hardest to tell from real, one that outputs noise
the easiest, and one that mixes them lies between; the shares sum to 1.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest
import torch
from helpers import BankGenerator
from torch import nn

from ganbench.datasets import Dataset
from ganbench.images import uint8_to_pixels
from ganbench.metrics.nrds import scores_from_curves
from ganbench.metrics.spec import GeneratorHandle, Player
from ganbench.registry import METRICS

CPU = torch.device("cpu")
PIXELS = 28 * 28


def test_scores_from_curves_by_hand() -> None:
    """Areas by the trapezoid rule: [1, 1, 1] -> 2; [1, 0, 0] -> 0.5; [0.5, 0.5, 0] -> 0.75.
    Shares of the total 3.25: 8/13, 2/13, 3/13."""
    curves = {"a": np.array([1.0, 1.0, 1.0]), "b": np.array([1.0, 0.0, 0.0]), "c": np.array([0.5, 0.5, 0.0])}
    out = scores_from_curves(curves)
    assert out == pytest.approx({"a": 8 / 13, "b": 2 / 13, "c": 3 / 13}, rel=1e-15)
    with pytest.raises(ValueError, match="called every generated sample fake"):
        scores_from_curves({"a": np.zeros(3), "b": np.zeros(3)})


def toy_players(bank: torch.Tensor) -> dict[str, Player]:
    def make(p_real: float) -> Player:
        handle = GeneratorHandle(BankGenerator(bank, p_real).eval(), 2 + PIXELS, CPU)
        return Player(handle, nn.Identity())  # NRDS does not use the discriminators

    return {"digits": make(1.0), "half": make(0.5), "noise": make(0.0)}


@pytest.fixture(scope="module")
def setting(mnist_5k: Dataset) -> dict:
    return {"bank": mnist_5k.train.images[:1000], "real": uint8_to_pixels(mnist_5k.test.images[:400])}


FAST = {"n_samples": 300, "n_test": 200, "epochs": 6, "batch_size": 16, "critic_width": 32}


def score(setting: dict, players: dict[str, Player] | None = None, **params: object) -> dict:
    players = toy_players(setting["bank"]) if players is None else players
    return METRICS["nrds"](real=setting["real"], players=players, **(FAST | params))


def test_real_digits_are_hardest_to_tell_from_real(setting: dict, tmp_path) -> None:
    out = score(setting, artifact_dir=tmp_path)
    value = {name: row["nrds"] for name, row in out.items()}
    assert value["digits"] > value["half"] > value["noise"]
    assert sum(value.values()) == pytest.approx(1.0, abs=1e-12)
    assert value["noise"] < 0.12 and value["digits"] > 0.5
    # D scores each image on its own, so half digits and half noise get about the mean of the two
    assert value["half"] == pytest.approx((value["digits"] + value["noise"]) / 2, abs=0.06)
    with (tmp_path / "nrds_curves.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["epoch"] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    curves = {name: np.array([float(r[name]) for r in rows]) for name in value}
    assert scores_from_curves(curves) == pytest.approx(value, rel=1e-12)  # the value is the curves' score
    assert float(rows[-1]["real"]) > float(rows[-1]["noise"])  # D learnt to call noise fake


def test_seeded_and_independent_of_the_players_order(setting: dict) -> None:
    players = toy_players(setting["bank"])
    a = score(setting, players, epochs=2, seed=1)
    b = score(setting, dict(reversed(list(players.items()))), epochs=2, seed=1)
    c = score(setting, players, epochs=2, seed=2)
    assert b == {name: pytest.approx(row, rel=1e-9) for name, row in a.items()}
    assert a != c


def test_rejects_bad_input(setting: dict) -> None:
    players = toy_players(setting["bank"])
    with pytest.raises(ValueError, match="at least two"):
        score(setting, {"digits": players["digits"]})
    with pytest.raises(ValueError, match="epochs must be an integer >= 2"):
        score(setting, players, epochs=1)
    with pytest.raises(ValueError, match="real images are"):
        METRICS["nrds"](real=np.zeros((10, 1, 14, 14), dtype=np.float32), players=players, **FAST)
