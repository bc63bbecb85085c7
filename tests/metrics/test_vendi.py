"""The Vendi score: against vendi-score's ``score_dual``, hand-computed sets, invariances, input errors."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from ganbench.metrics import vendi as vendi_module
from ganbench.metrics.vendi import vendi, vendi_of, vendi_per_class

# vendi-score 0.0.3's score_K names scipy.sparse.csr.csr_matrix, which SciPy deprecates
pytestmark = pytest.mark.filterwarnings("ignore:Please import `csr_matrix`:DeprecationWarning")

ORDERS = (0.5, 1.0, 2.0, 3.5, "inf")
REL = 1e-9  # float64 eigenvalues of the same Gram, reduced in another order


def gaussian(n: int, d: int, seed: int, shift: float = 0.0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, d)) + shift


@pytest.mark.parametrize("q", ORDERS)
@pytest.mark.parametrize(("n", "d"), [(300, 12), (40, 64)])
def test_cosine_kernel_agrees_with_vendi_score_dual(q: object, n: int, d: int) -> None:
    """``vendi_score.vendi.score_dual(X, q, normalize=True)``: what ``embedding_vendi_score`` computes
    for n >= D. For n < D it calls ``score_X``, which drops q, so the reference there is
    ``score_K`` on the same n x n cosine kernel (``score_dual``'s D x D Gram is rank-deficient then,
    and its round-off eigenvalues count for q < 1: the rank deviation of the module docstring)."""
    reference = pytest.importorskip("vendi_score.vendi", reason="vendi-score is the reference implementation")

    def expected(z: np.ndarray) -> float:
        if len(z) >= z.shape[1]:
            return reference.score_dual(z, q=q)
        unit = z / np.linalg.norm(z, axis=1, keepdims=True)
        return reference.score_K(unit @ unit.T, q=q)

    x, y = gaussian(n, d, 0, shift=0.3), gaussian(n + 7, d, 1)
    out = vendi(real=x, fake=y, q=q)
    assert out["vendi"] == pytest.approx(expected(y), rel=REL)
    assert out["vendi_real"] == pytest.approx(expected(x), rel=REL)


@pytest.mark.parametrize("q", ORDERS)
def test_linear_kernel_agrees_with_vendi_score_on_rows_of_mean_squared_norm_one(q: object) -> None:
    """vendi-score's linear kernel (``normalize=False``) takes the raw eigenvalues of XᵀX / n; ours
    divides them by their sum, so the two agree once the rows' mean squared norm is 1, and ours is
    the same for every scale of the features."""
    reference = pytest.importorskip("vendi_score.vendi", reason="vendi-score is the reference implementation")
    y = gaussian(200, 10, 2) * np.linspace(0.5, 3.0, 10)
    unit = y / math.sqrt(np.mean(np.sum(y * y, axis=1)))
    expected = reference.score_dual(unit, q=q, normalize=False)
    for features in (y, unit, 1e3 * y):
        assert vendi(real=y, fake=features, q=q, kernel="linear")["vendi"] == pytest.approx(expected, rel=REL)


def test_linear_kernel_agrees_with_vendi_score_on_the_n_by_n_kernel() -> None:
    reference = pytest.importorskip("vendi_score.vendi", reason="vendi-score is the reference implementation")
    y = gaussian(30, 50, 3)
    k = y @ y.T
    for q in (1, 2, "inf"):
        expected = reference.score_K(k / np.mean(np.diagonal(k)), q=q)
        assert vendi(real=y, fake=y, q=q, kernel="linear")["vendi"] == pytest.approx(expected, rel=REL)


@pytest.mark.parametrize("q", ORDERS)
@pytest.mark.parametrize("kernel", ["cosine", "linear"])
def test_copies_of_one_row_score_1_and_orthogonal_rows_score_n(q: object, kernel: str) -> None:
    row = np.array([[0.3, -1.2, 2.0, 0.5]])
    assert vendi(real=row, fake=np.repeat(row, 25, axis=0), q=q, kernel=kernel)["vendi"] == pytest.approx(1.0)
    orthogonal = np.eye(6)
    assert vendi(real=orthogonal, fake=orthogonal, q=q, kernel=kernel)["vendi"] == pytest.approx(6.0)
    # three copies of each of 4 orthogonal rows: 4 equally likely "species"
    copies = np.repeat(np.eye(4) * 2.5, 3, axis=0)
    assert vendi(real=copies, fake=copies, q=q, kernel=kernel)["vendi"] == pytest.approx(4.0)


def test_hand_computed_unequal_eigenvalues() -> None:
    """Rows e1 and 2·e2: the linear kernel's eigenvalues are (1, 4) / 5, the cosine kernel's (1, 1) / 2."""
    x = np.array([[1.0, 0.0], [0.0, 2.0]])
    p = np.array([0.2, 0.8])
    expected = {
        1.0: math.exp(-np.sum(p * np.log(p))),  # 1.6493...
        2.0: 1.0 / np.sum(p**2),  # 25 / 17
        0.5: np.sum(np.sqrt(p)) ** 2,  # (sqrt(.2) + sqrt(.8))^2 = 1.8
        "inf": 1.0 / 0.8,
    }
    for q, value in expected.items():
        assert vendi(real=x, fake=x, q=q, kernel="linear")["vendi"] == pytest.approx(value, rel=1e-12)
        assert vendi(real=x, fake=x, q=q, kernel="cosine")["vendi"] == pytest.approx(2.0, rel=1e-12)
    assert expected[2.0] == pytest.approx(25 / 17) and expected[0.5] == pytest.approx(1.8)


def test_the_order_orders_the_scores() -> None:
    """Rényi entropy does not increase with q, so neither does the score (q = inf is the least)."""
    y = gaussian(400, 16, 4) * np.linspace(0.2, 2.0, 16)
    scores = [vendi(real=y, fake=y, q=q)["vendi"] for q in (0.25, 0.5, 1.0, 2.0, 5.0, "inf")]
    assert all(a >= b - 1e-12 for a, b in itertools.pairwise(scores))
    assert scores[-1] >= 1.0 and scores[0] <= 16.0


@pytest.mark.parametrize("kernel", ["cosine", "linear"])
def test_invariant_to_row_order_and_rotations(kernel: str) -> None:
    y = gaussian(150, 8, 5, shift=0.4)
    base = vendi(real=y, fake=y, kernel=kernel)["vendi"]
    rotation, _ = np.linalg.qr(np.random.default_rng(6).standard_normal((8, 8)))
    permuted = y[np.random.default_rng(7).permutation(len(y))]
    assert vendi(real=y, fake=permuted, kernel=kernel)["vendi"] == pytest.approx(base, rel=1e-10)
    assert vendi(real=y, fake=y @ rotation, kernel=kernel)["vendi"] == pytest.approx(base, rel=1e-10)


def test_cosine_kernel_ignores_each_rows_length() -> None:
    y = gaussian(120, 6, 8)
    lengths = np.random.default_rng(9).uniform(0.1, 50.0, (120, 1))
    assert vendi(real=y, fake=y * lengths)["vendi"] == pytest.approx(
        vendi(real=y, fake=y)["vendi"], rel=1e-10
    )


def test_row_blocks_and_the_n_by_n_form_give_the_same_value(monkeypatch: pytest.MonkeyPatch) -> None:
    y = gaussian(50, 9, 10)
    whole = vendi_of(y, 1.0, "cosine")
    monkeypatch.setattr(vendi_module, "_ROW_BLOCK", 7)  # 8 blocks, the last one short
    assert vendi_of(y, 1.0, "cosine") == pytest.approx(whole, rel=1e-12)
    wide = np.concatenate([y, np.zeros((50, 60))], axis=1)  # D > n: the n x n Gram
    assert vendi_of(wide, 1.0, "cosine") == pytest.approx(whole, rel=1e-10)


def test_float32_input_gives_the_float64_value_of_its_rows() -> None:
    y = gaussian(200, 32, 11).astype(np.float32)
    assert vendi(real=y, fake=y)["vendi"] == pytest.approx(vendi(real=y, fake=y.astype(np.float64))["vendi"])


def test_deterministic() -> None:
    x, y = gaussian(100, 5, 12), gaussian(90, 5, 13)
    assert vendi(real=x, fake=y, q=2) == vendi(real=x, fake=y, q=2)


def test_rank_deficient_gram_at_small_q_counts_only_the_rank() -> None:
    """Three distinct directions in 64-d: every order gives at most 3, even q = 0.1, where round-off
    eigenvalues of the other 61 dimensions would otherwise add to Σ λ^q."""
    basis = np.random.default_rng(14).standard_normal((3, 64))
    y = np.repeat(basis, 100, axis=0)
    for q in (0.1, 0.5, 1.0):
        assert vendi(real=y, fake=y, q=q)["vendi"] <= 3.0 + 1e-9


def test_per_class_mean() -> None:
    """Class 0: three copies of one row (1); class 1: two orthogonal rows (2); class 5: one row (1)."""
    fake = np.array([[1.0, 0, 0], [1.0, 0, 0], [1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [1.0, 1.0, 0]])
    labels = np.array([0, 0, 0, 1, 1, 5])
    real = np.eye(3)
    out = vendi_per_class(real=real, fake=fake, real_labels=np.array([0, 0, 1]), fake_labels=labels)
    assert out["vendi_per_class"] == pytest.approx((1 + 2 + 1) / 3)
    assert out["vendi_per_class_real"] == pytest.approx((2 + 1) / 2)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": 0}, r"q must be > 0"),
        ({"q": -1.0}, r"q must be > 0"),
        ({"q": math.inf}, r"q must be a finite number > 0, or the string 'inf'"),
        ({"q": math.nan}, r"q must be a finite number"),
        ({"q": "infinite"}, r"q must be a number > 0 or the string 'inf'"),
        ({"kernel": "rbf"}, r"kernel must be one of \('cosine', 'linear'\)"),
    ],
)
def test_bad_parameters_are_refused(params: dict, message: str) -> None:
    x = gaussian(10, 3, 15)
    with pytest.raises(ValueError, match=message):
        vendi(real=x, fake=x, **params)


def test_bad_inputs_are_refused() -> None:
    x = gaussian(10, 3, 16)
    with pytest.raises(ValueError, match=r"fake row 4 is all zeros.*kernel='linear'"):
        vendi(real=x, fake=np.where(np.arange(10)[:, None] == 4, 0.0, x))
    with pytest.raises(ValueError, match="same number of columns"):
        vendi(real=x, fake=x[:, :2])
    with pytest.raises(ValueError, match="NaN or infinite"):
        vendi(real=x, fake=np.full((3, 3), np.nan))
    with pytest.raises(ValueError, match="only zero rows"):
        vendi(real=x, fake=np.zeros((4, 3)), kernel="linear")
    with pytest.raises(ValueError, match=r"fake_labels must hold one label per image"):
        vendi_per_class(
            real=x, fake=x, real_labels=np.zeros(10, dtype=int), fake_labels=np.zeros(9, dtype=int)
        )
