import numpy as np
import pytest

from ganbench.analysis.holm import holm

TOL = 1e-12


def sequential_holm_rejections(p: np.ndarray, alpha: float) -> set[int]:
    """Holm's procedure as Holm (1979) states it: reject the sorted p_(i) while p_(i) < alpha/(m - i + 1)."""
    order = np.argsort(p, kind="stable")
    rejected = set()
    for i, index in enumerate(order):
        if p[index] < alpha / (len(p) - i):
            rejected.add(int(index))
        else:
            break
    return rejected


def test_known_example_by_hand() -> None:
    # sorted 0.01, 0.03, 0.04 -> 3·0.01 = 0.03, 2·0.03 = 0.06, max(0.06, 1·0.04) = 0.06
    assert np.allclose(holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06], rtol=0, atol=TOL)


def test_capped_at_one_and_missing_p_values_are_outside_the_family() -> None:
    assert np.allclose(holm([0.5, 0.6]), [1.0, 1.0], rtol=0, atol=TOL)
    adjusted = holm([0.01, np.nan, 0.04])  # m = 2: 0.02, and max(0.02, 0.04)
    assert np.isnan(adjusted[1]) and np.allclose(adjusted[[0, 2]], [0.02, 0.04], rtol=0, atol=TOL)
    assert holm([]).size == 0 and np.isnan(holm([np.nan])).all()


def test_adjusted_values_reject_exactly_what_the_sequential_procedure_rejects() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        p = rng.uniform(0, 0.2, size=rng.integers(1, 8))
        for alpha in (0.01, 0.05, 0.1):
            assert set(np.flatnonzero(holm(p) < alpha)) == sequential_holm_rejections(p, alpha)


def test_out_of_range_p_values_are_refused() -> None:
    with pytest.raises(ValueError, match=r"lie in \[0, 1\]"):
        holm([0.2, 1.5])
