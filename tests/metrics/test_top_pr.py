"""Tests for ``top-pr`` (TopP&R, Kim et al. 2023) against the reference package ``top-pr``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.spatial import distance

from ganbench.metrics.top_pr import cosine_kde, later_kth_distance, top_pr
from ganbench.registry import METRICS


def sets(n: int, m: int, d: int, shift: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), 1.1 * rng.standard_normal((m, d)) + shift


@pytest.mark.parametrize(
    ("n", "m", "d", "shift", "seed"),
    [(400, 350, 64, 0.3, 0), (300, 300, 8, 0.5, 1), (500, 400, 100, 1.0, 2)],
    ids=["projected-64", "unprojected-8", "projected-100-far"],
)
def test_agrees_with_the_reference_package(n: int, m: int, d: int, shift: float, seed: int) -> None:
    # top-pr 0.2.1 (github.com/LAIT-CVLab/TopPR), compute_top_pr with its defaults. It seeds its
    # bootstrap with np.random.seed(42) on the projection path (D > 32) only; for D <= 32 the test
    # seeds numpy's global state the same way. Same draws, same bandwidth rule: the same counts, so
    # the ratios agree to rounding (1e-12).
    reference = pytest.importorskip("top_pr", reason="the reference TopP&R implementation (PyPI top-pr)")
    real, fake = sets(n, m, d, shift, seed)
    state = np.random.get_state()
    try:
        np.random.seed(42)
        ref = reference.compute_top_pr(real_features=real, fake_features=fake)
    finally:
        np.random.set_state(state)
    ours = top_pr(real=real, fake=fake)
    assert ours["top_precision"] == pytest.approx(float(ref["fidelity"]), abs=1e-12)
    assert ours["top_recall"] == pytest.approx(float(ref["diversity"]), abs=1e-12)
    assert ours["top_f1"] == pytest.approx(float(ref["Top_F1"]), abs=1e-12)


def test_bandwidth_values_are_the_references_upper_triangle_rule() -> None:
    # The reference: for row i < n - k, sorted(cdist(x, x)[i, i+1:])[k-1]. 600 rows cross the
    # 256-row blocks; the last block has fewer than k rows after it.
    x = np.random.default_rng(5).standard_normal((600, 6))
    k = 40
    dist = distance.cdist(x, x)
    expected = np.array([np.sort(dist[i, i + 1 :])[k - 1] for i in range(600 - k)])
    assert later_kth_distance(x, k) == pytest.approx(expected, rel=1e-13)


def test_cosine_kde_matches_its_formula() -> None:
    rng = np.random.default_rng(6)
    data, query = rng.standard_normal((300, 3)), rng.standard_normal((70, 3))
    weights = np.stack([np.ones(300), rng.integers(0, 3, 300).astype(float)], axis=1)
    h = 0.9
    d = distance.cdist(query, data)
    kernel = np.where(d <= h, np.cos(np.pi / 2 * d / h), 0.0)
    expected = kernel @ weights / 300
    assert cosine_kde(query, data, h, weights) == pytest.approx(expected, rel=1e-10, abs=1e-13)


def test_far_disjoint_sets_score_zero() -> None:
    real, fake = sets(300, 300, 8, 0.0, 7)
    out = top_pr(real=real, fake=fake + 50.0)
    assert out == {"top_precision": 0.0, "top_recall": 0.0, "top_f1": 0.0}


def test_copy_scores_high_and_a_shift_lowers_it() -> None:
    real, fresh = sets(400, 400, 8, 0.0, 8)
    # A copy is not scored exactly 1: the two sets' bands come from different bootstrap draws, so
    # a copied row near the edge of the support can pass one band and not the other (0.90 here).
    copy = top_pr(real=real, fake=real.copy())
    shifted = top_pr(real=real, fake=fresh + 1.5)
    assert copy["top_precision"] > 0.85 and copy["top_recall"] > 0.85
    assert shifted["top_precision"] < copy["top_precision"] - 0.3


def test_fixed_bandwidths_and_determinism() -> None:
    real, fake = sets(250, 200, 8, 0.3, 9)
    fixed = {"bandwidth_real": 3.0, "bandwidth_fake": 3.2}
    assert top_pr(real=real, fake=fake, **fixed) == top_pr(real=real, fake=fake, **fixed)
    assert top_pr(real=real, fake=fake) == top_pr(real=real, fake=fake)
    spec = METRICS["top-pr"]
    assert spec.samples_needed({**spec.defaults, **fixed}) == 2
    small = top_pr(real=real[:20], fake=fake[:20], **fixed)  # fixed bandwidths: no 5 d rows needed
    assert all(0.0 <= v <= 1.0 for v in small.values())


def test_rejects_bad_inputs() -> None:
    real, fake = sets(100, 100, 8, 0.0, 10)
    with pytest.raises(ValueError, match="alpha"):
        top_pr(real=real, fake=fake, alpha=1.5)
    with pytest.raises(ValueError, match="repeats"):
        top_pr(real=real, fake=fake, repeats=0)
    with pytest.raises(ValueError, match="random_projection"):
        top_pr(real=real, fake=fake, random_projection="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="bandwidth_fake"):
        top_pr(real=real, fake=fake, bandwidth_real=1.0, bandwidth_fake=0.0)
    with pytest.raises(ValueError, match="needs more than 40 rows; got 30"):
        top_pr(real=real[:30], fake=fake)
    with pytest.raises(ValueError, match="same number of columns"):
        top_pr(real=real, fake=fake[:, :4])
    dup = np.repeat(real[:1], 100, axis=0)
    with pytest.raises(ValueError, match="bandwidth came out 0"):
        top_pr(real=dup, fake=fake)


def test_registry_and_per_sample_reduction() -> None:
    real, fake = sets(250, 220, 8, 0.4, 11)
    spec = METRICS["top-pr"]
    assert spec.defaults == {
        "alpha": 0.1,
        "repeats": 10,
        "random_projection": True,
        "bandwidth_real": None,
        "bandwidth_fake": None,
        "seed": 42,
    }
    value = spec(real=real, fake=fake)
    samples = spec.samples(real=real, fake=fake)
    assert samples.reduce(np.arange(250), np.arange(220)) == pytest.approx(value, abs=1e-15)
    drawn = samples.reduce(np.random.default_rng(0).integers(0, 250, 250), None)
    assert all(0.0 <= v <= 1.0 or math.isnan(v) for v in drawn.values())
    with pytest.raises(TypeError):
        spec(real, fake)  # type: ignore[misc]
