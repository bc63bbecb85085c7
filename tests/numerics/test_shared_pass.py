"""The shared Gram pass gives the battery's measures exactly what they compute alone, from one pass."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from ganbench.evaluation.features import FeatureSet
from ganbench.evaluation.scoring import score
from ganbench.metrics.density_coverage import density_coverage
from ganbench.metrics.kid import kid
from ganbench.metrics.precision_recall import precision_recall
from ganbench.numerics import distances, memo, shared_pass
from ganbench.numerics.kernels import kid_rounds
from ganbench.numerics.memo import clear_memos

Features = Callable[..., np.ndarray]


def feature_sets(make_features: Features, n: int = 400, dim: int = 24) -> tuple[FeatureSet, FeatureSet]:
    real = make_features(n, dim, seed=1, dtype=np.float32)
    fake = make_features(n - 37, dim, shift=0.2, seed=2, dtype=np.float32)
    real[5] = real[9]  # an exact duplicate: a tie at distance 0
    fake[3] = real[11]  # a generated row on a real point: ties with that ball's radius are possible
    pixels = np.zeros((1, 1, 1, 1), dtype=np.float32)

    def as_set(x: np.ndarray) -> FeatureSet:
        return FeatureSet(np.broadcast_to(pixels, (len(x), 1, 1, 1)), x, np.ascontiguousarray(x[:, :10]))

    return as_set(real), as_set(fake)


def count_knn_scans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one entry per k-NN scan started (one per self pass)."""
    scans: list[int] = []
    original = distances._KnnScan.__init__

    def counting(self: distances._KnnScan, *args: object, **kwargs: object) -> None:
        scans.append(1)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(distances._KnnScan, "__init__", counting)
    return scans


def test_the_battery_in_one_pass_equals_each_measure_alone(make_features: Features) -> None:
    real, fake = feature_sets(make_features)
    clear_memos()
    alone = {
        **precision_recall(real=real.features, fake=fake.features),
        **density_coverage(real=real.features, fake=fake.features),
        **kid(real=real.features, fake=fake.features, subsets=20, subset_size=200),
    }
    clear_memos()
    overrides = {"kid": {"subsets": 20, "subset_size": 200}}
    battery = ["kid", "precision-recall", "density-coverage"]
    shared = {
        s.key: s.value
        for s in score(battery, real=real, fake=fake, train=None, class_prior=None, overrides=overrides)
    }
    for key in ("precision", "recall", "density", "coverage"):
        assert shared[key] == alone[key], key  # exact: canonical distances either way
    assert shared["kid"] == alone["kid"]  # the same float32 tiles and sums either way


def test_scoring_makes_one_pass_over_each_set(
    make_features: Features, monkeypatch: pytest.MonkeyPatch
) -> None:
    real, fake = feature_sets(make_features)
    scans = count_knn_scans(monkeypatch)
    clear_memos()
    score(
        ["precision-recall", "density-coverage", "kid"],
        real=real,
        fake=fake,
        train=None,
        class_prior=None,
        overrides={"kid": {"subsets": 5, "subset_size": 100}},
    )
    assert len(scans) == 2  # one self pass per set; the cross pass and KID ride on the same tiles


def test_kid_sums_match_the_float64_kernel_value(make_features: Features) -> None:
    real = make_features(300, 16, seed=3)
    fake = make_features(250, 16, shift=0.1, seed=4)
    plan = shared_pass.KidPlan(subsets=7, subset_size=120, degree=3, seed=5)
    value, std = shared_pass.kid_alone(real, fake, plan)
    rounds = kid_rounds(len(real), len(fake), 7, 120, 5)

    def k(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return (a @ b.T / a.shape[1] + 1.0) ** 3

    mmds = []
    for fake_positions, real_positions in rounds:
        x, y = fake[fake_positions], real[real_positions]
        kxx, kyy, kxy = k(x, x), k(y, y), k(x, y)
        m = len(x)
        mmds.append(
            (kxx.sum() - kxx.trace() + kyy.sum() - kyy.trace()) / (m * (m - 1)) - 2 * kxy.sum() / (m * m)
        )
    # float32 tiles: the kernel means are exact to about 1e-8 of their size (O(1) here)
    assert value == pytest.approx(np.mean(mmds), abs=1e-6)
    assert std == pytest.approx(np.std(mmds), abs=1e-6)


@pytest.mark.parametrize("chunk_size", [7, 32])
def test_shared_ball_tests_decide_ties_like_brute_force_both_ways(chunk_size: int) -> None:
    # Dyadic coordinates: every distance exact, many equal, generated rows copying real rows.
    rng = np.random.default_rng(3)
    real = rng.integers(-8, 9, (64, 5)) / 4 + 1e3
    fake = rng.integers(-8, 9, (72, 5)) / 4 + 1e3
    fake[:24] = real[:24]
    tests = {
        shared_pass.BallTest("real", 3, inclusive=True, per_query="count", per_ref="count"),
        shared_pass.BallTest("fake", 3, inclusive=False, per_query="count", per_ref="count"),
        shared_pass.BallTest("fake", 5, inclusive=True, per_query="any", per_ref="any"),
    }
    shared = shared_pass.SharedPass(real, fake, shared_pass.Needs(tests=tests), chunk_size=chunk_size)

    def brute(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.linalg.norm(a[:, None, :] - b[None, :, :], axis=-1)

    sides = {"real": real, "fake": fake}
    for test in tests:
        centres, other = sides[test.centres], sides["fake" if test.centres == "real" else "real"]
        own = brute(centres, centres)
        np.fill_diagonal(own, np.inf)
        radii = np.sort(own, axis=1)[:, test.k - 1]
        d = brute(other, centres)
        assert (d == radii[None, :]).any()  # ties on the spheres are there
        inside = d <= radii[None, :] if test.inclusive else d < radii[None, :]
        got = shared.members[test]
        for value, want, axis in ((got.per_query, test.per_query, 1), (got.per_ref, test.per_ref, 0)):
            expected = inside.any(axis=axis) if want == "any" else inside.sum(axis=axis)
            np.testing.assert_array_equal(value, expected)


def test_a_second_generated_set_against_the_same_real_set_scans_only_itself(
    make_features: Features, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = make_features(300, 12, seed=5, dtype=np.float32)
    fakes = [make_features(250, 12, shift=s, seed=6 + i, dtype=np.float32) for i, s in enumerate((0.1, 0.3))]
    tests = {shared_pass.BallTest("real", 5, inclusive=False, per_query="count", per_ref="any")}
    needs = shared_pass.Needs(
        knn={"real": 5, "fake": 3}, tests=tests, kid={shared_pass.KidPlan(4, 100, 3, 0)}
    )
    clear_memos()
    fresh = [shared_pass.SharedPass(real, fake, needs) for fake in fakes[1:]]  # the second alone
    clear_memos()
    scans = count_knn_scans(monkeypatch)
    shared_pass.SharedPass(real, fakes[0], needs)
    assert len(scans) == 2  # real and generated
    second = shared_pass.SharedPass(real, fakes[1], needs)
    assert len(scans) == 3  # only the new generated set
    assert second.kid == fresh[0].kid
    for test in tests:
        np.testing.assert_array_equal(second.members[test].per_query, fresh[0].members[test].per_query)
        np.testing.assert_array_equal(second.members[test].per_ref, fresh[0].members[test].per_ref)


def test_sets_of_different_widths_are_refused_with_a_clear_error(make_features: Features) -> None:
    with pytest.raises(ValueError, match="same feature size"):
        shared_pass.SharedPass(make_features(20, 4), make_features(20, 5), shared_pass.Needs(knn={"real": 3}))


def test_a_shared_pass_gives_each_arrays_fingerprint_once_and_the_same_as_its_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Inside ``sharing`` the memos' content keys of the pass's arrays come from the pass (hashed
    once), equal the hash of the bytes, and an array it does not hold is hashed as before."""
    rng = np.random.default_rng(0)
    real, fake, other = (rng.standard_normal((50, 8)).astype(np.float32) for _ in range(3))
    expected = {name: memo.content_hash(a) for name, a in (("real", real), ("fake", fake), ("other", other))}
    hashed: list[int] = []
    original = memo.content_hash
    monkeypatch.setattr(shared_pass, "content_hash", lambda a: hashed.append(id(a)) or original(a))
    needs = shared_pass.Needs(knn={"real": 3})
    with shared_pass.sharing(real, fake, needs):
        for _ in range(3):
            assert memo.fingerprint(real) == expected["real"]
            assert memo.fingerprint(fake) == expected["fake"]
        assert memo.fingerprint(other) == expected["other"]
    assert sorted(hashed) == sorted([id(real), id(fake)])  # one hash per array of the pass
    assert memo.fingerprint(real) == expected["real"]  # after the block: from the bytes again
