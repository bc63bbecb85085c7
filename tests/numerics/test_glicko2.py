"""Tests for Glicko-2 against Glickman's worked example."""

from __future__ import annotations

import math

import pytest

from ganbench.numerics.glicko2 import Glicko2Rating, glicko2_update


def test_glicko2_reproduces_glickmans_example() -> None:
    player = Glicko2Rating(1500.0, 200.0, 0.06)
    opponents = [Glicko2Rating(1400.0, 30.0), Glicko2Rating(1550.0, 100.0), Glicko2Rating(1700.0, 300.0)]
    new = glicko2_update(player, opponents, [1.0, 0.0, 0.0], tau=0.5)
    # the paper rounds its intermediate values (mu' = -0.2069); unrounded it is 1464.051
    assert new.rating == pytest.approx(1464.06, abs=0.02)
    assert new.rd == pytest.approx(151.52, abs=0.01)
    assert new.volatility == pytest.approx(0.05999, abs=1e-5)


def test_glicko2_period_without_games_only_widens_the_deviation() -> None:
    new = glicko2_update(Glicko2Rating(1500.0, 200.0, 0.06), [], [])
    assert new.rating == 1500.0 and new.volatility == 0.06
    assert new.rd == pytest.approx(math.sqrt((200 / 173.7178) ** 2 + 0.06**2) * 173.7178)
