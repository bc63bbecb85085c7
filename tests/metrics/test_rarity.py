"""Tests for the ``rarity`` measure (Han et al. 2023, arXiv:2206.08549).

Reference values come from a transcription of the reference implementation, hichoe95/Rarity-Score
``src/rarity_score.py`` (commit ec2ebd8: ``MANIFOLD.__init__``, ``is_in_ball``, ``rarity``, with
``src/improved_precision_recall.py``'s ``compute_pairwise_distances``, Euclidean, float64 Gram
form), run outside this repository on the inputs below; the transcription is not part of ganbench.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from ganbench.metrics import rarity as rarity_module
from ganbench.metrics.rarity import rarity, rarity_samples, smallest_holding_radius
from ganbench.numerics import distances
from ganbench.numerics.shared_pass import Needs, sharing
from ganbench.registry import METRICS

# Integer features with duplicated real rows ([2, 2] three times, [-2, -2] and [-3, -3] twice) and
# generated rows exactly on spheres: the reference computes these distances exactly.
REAL_INT = np.array(
    [[-3, 3], [-3, -2], [3, -2], [3, 0], [2, 2], [-3, -3], [-1, 1], [1, -2], [-2, -2], [-2, -3],
     [-2, -2], [1, 2], [2, 2], [3, -3], [0, 2], [-3, -3], [-1, 2], [1, -3], [2, 2], [-2, 2]],
    dtype=np.float64,
)  # fmt: skip
FAKE_INT = np.array(
    [[-1, -2], [-2, 2], [-3, -1], [-4, -1], [1, -2], [-2, -1], [-2, 3], [-3, -4], [2, 3], [-4, -4],
     [-3, -2], [2, 4]],
    dtype=np.float64,
)  # fmt: skip
# The reference's scores (k=3) for FAKE_INT: 0 for the rows in no ball, which it excludes
# (out_ball_ids = [2, 3, 5, 7, 8, 9, 11]).
REF_SCORES_INT = [
    2.23606797749979, 1.4142135623730951, 0.0, 0.0, 2.23606797749979, 0.0,
    1.4142135623730951, 0.0, 0.0, 0.0, 1.0, 0.0,
]  # fmt: skip
REF_EXCLUDED_INT = [2, 3, 5, 7, 8, 9, 11]

# Gaussian features: rng = default_rng(7); real = rng.standard_normal((80, 6));
# fake = rng.standard_normal((70, 6)) * 1.3 + 0.2. The reference's mean score over the included
# rows, and how many rows it includes, per k.
REF_GAUSS = {3: (1.7562461140712597, 44), 5: (1.897855719445112, 51)}


def gaussian_pair() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    real = rng.standard_normal((80, 6))
    fake = rng.standard_normal((70, 6)) * 1.3 + 0.2
    return real, fake


def test_hand_computed_1d_case_with_ties() -> None:
    # real 0, 1, 2, 4, 8 with k = 1: radii 1, 1, 1, 2, 4, balls (strict) (-1, 1), (0, 2), (1, 3),
    # (2, 6), (4, 12). Generated: 0.5 in B0, B1 -> 1; 2.5 in B2, B3 -> 1; 5 in B3, B4 -> 2;
    # 10 in B4 -> 4; 13 in none; 3 on B2's sphere (outside), in B3 -> 2; 12 on B4's sphere -> none.
    # rarity = (1 + 1 + 2 + 4 + 2) / 5 = 2; included 5 of 7.
    real = np.array([[0.0], [1.0], [2.0], [4.0], [8.0]])
    fake = np.array([[0.5], [2.5], [5.0], [10.0], [13.0], [3.0], [12.0]])
    out = rarity(real=real, fake=fake, k=1)
    assert out["rarity"] == pytest.approx(2.0, abs=1e-12)
    assert out["rarity_included"] == pytest.approx(5 / 7, abs=1e-12)


@pytest.mark.parametrize("block", [1, 2, 3, 1024])
def test_agrees_with_the_reference_per_sample_on_integer_features(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # blocks of 1, 2, 3 rows: the scan over blocks and the bisection inside them take every path
    monkeypatch.setattr(rarity_module, "BLOCK", block)
    radii = distances.kth_neighbour_distance(REAL_INT, 3)
    found = distances.ball_members(FAKE_INT, REAL_INT, radii, inclusive=False, per_query="any", per_ref=None)
    included = np.asarray(found.per_query)
    assert np.flatnonzero(~included).tolist() == REF_EXCLUDED_INT
    scores = smallest_holding_radius(FAKE_INT, REAL_INT, radii, included)
    assert np.isnan(scores[REF_EXCLUDED_INT]).all()
    inside = np.flatnonzero(included)
    assert scores[inside] == pytest.approx(np.array(REF_SCORES_INT)[inside], rel=1e-15)
    out = rarity(real=REAL_INT, fake=FAKE_INT, k=3)
    assert out["rarity"] == pytest.approx(np.array(REF_SCORES_INT)[inside].mean(), rel=1e-12)
    assert out["rarity_included"] == pytest.approx(5 / 12, abs=1e-12)


@pytest.mark.parametrize("k", [3, 5])
def test_agrees_with_the_reference_on_gaussian_features(k: int) -> None:
    real, fake = gaussian_pair()
    value, included = REF_GAUSS[k]
    out = rarity(real=real, fake=fake, k=k)
    assert out["rarity"] == pytest.approx(value, rel=1e-9)  # Gram-form float64 vs canonical distances
    assert out["rarity_included"] == pytest.approx(included / 70, abs=1e-12)


def test_float32_input_gives_the_float64_value_on_integer_features() -> None:
    a = rarity(real=REAL_INT, fake=FAKE_INT)
    b = rarity(real=REAL_INT.astype(np.float32), fake=FAKE_INT.astype(np.float32))
    assert a == pytest.approx(b, rel=1e-15)


def test_translation_and_row_order_do_not_change_it() -> None:
    real, fake = gaussian_pair()
    base = rarity(real=real, fake=fake)
    rng = np.random.default_rng(1)
    assert rarity(real=real[rng.permutation(80)], fake=fake[rng.permutation(70)]) == pytest.approx(
        base, rel=1e-12
    )
    assert rarity(real=REAL_INT + 1e6, fake=FAKE_INT + 1e6) == pytest.approx(
        rarity(real=REAL_INT, fake=FAKE_INT), rel=1e-12
    )


def test_identical_sets_are_all_included() -> None:
    # Generic points: each copy lies at 0 < radius from its own centre.
    real, _ = gaussian_pair()
    out = rarity(real=real, fake=real.copy())
    assert out["rarity_included"] == 1.0


def test_a_set_off_the_manifold_leaves_rarity_out_and_replicates_say_undefined() -> None:
    real, _ = gaussian_pair()
    far = real[:10] + 100.0
    out = rarity(real=real, fake=far)
    assert out == {"rarity_included": 0.0}
    samples = rarity_samples(real=real, fake=far)
    replicate = samples.reduce(None, np.arange(10))
    assert math.isnan(replicate["rarity"]) and replicate["rarity_included"] == 0.0


def test_resample_reduces_the_drawn_rows() -> None:
    samples = rarity_samples(real=REAL_INT, fake=FAKE_INT, k=3)
    assert samples.n_real == 0 and samples.n_fake == 12
    rows = np.array([0, 0, 2, 10])  # scores 2.236..., 2.236..., excluded, 1.0
    out = samples.reduce(None, rows)
    assert out["rarity"] == pytest.approx((2 * 2.23606797749979 + 1.0) / 3, rel=1e-12)
    assert out["rarity_included"] == pytest.approx(0.75, abs=1e-12)


def test_shared_pass_gives_the_same_value() -> None:
    real, fake = gaussian_pair()
    alone = rarity(real=real, fake=fake)
    needs = Needs()
    needs.add(METRICS["rarity"].shared_needs({"k": 3}))  # type: ignore[misc]
    with sharing(real, fake, needs) as shared:
        assert shared is not None
        assert rarity(real=real, fake=fake) == pytest.approx(alone, rel=1e-15)


def test_deterministic() -> None:
    real, fake = gaussian_pair()
    assert rarity(real=real, fake=fake) == rarity(real=real, fake=fake)


def test_rejects_bad_input() -> None:
    real, fake = gaussian_pair()
    with pytest.raises(ValueError, match="at least 4 rows"):
        rarity(real=real[:3], fake=fake)
    with pytest.raises(ValueError, match="k must be"):
        rarity(real=real, fake=fake, k=0)
    with pytest.raises(ValueError, match="same number of columns"):
        rarity(real=real, fake=fake[:, :5])
    bad = fake.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="fake"):
        rarity(real=real, fake=bad)


def test_registry_entry() -> None:
    spec = METRICS["rarity"]
    assert spec.space == "features" and spec.defaults == {"k": 3}
    assert spec.interval == "per-sample"
    assert set(spec(real=REAL_INT, fake=FAKE_INT)) == {"rarity", "rarity_included"}
    with pytest.raises(TypeError):
        rarity(REAL_INT, FAKE_INT)  # type: ignore[misc]
