"""Glicko-2 ratings (Glickman 2012, "Example of the Glicko-2 system", glicko.net/glicko/glicko2.pdf).

Players start at rating 1500, rating deviation (RD) 350 and volatility 0.06; a rating period
updates each player from the games it played against opponents rated at the start of the
period. Used by the ``tournament`` measure to rate generators and discriminators.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

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
