"""Bootstrap intervals by each measure's declared method: the driver, and what score() records."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ganbench.evaluation.bootstrap import bootstrap_intervals, recompute_replicate
from ganbench.evaluation.features import FeatureSet
from ganbench.evaluation.scoring import score
from ganbench.metrics.spec import PerSample, Rows
from ganbench.numerics.resampling import take_rows
from ganbench.registry import METRICS

PRIOR = np.full(10, 0.1)


def feature_set(n: int, shift: float = 0.0, seed: int = 0) -> FeatureSet:
    rng = np.random.default_rng(seed)
    return FeatureSet(
        pixels=rng.uniform(size=(n, 1, 28, 28)).astype(np.float32),
        features=(rng.normal(size=(n, 16)) + shift).astype(np.float32),
        logits=rng.normal(size=(n, 10)).astype(np.float32),
    )


def mean_difference(real: np.ndarray, fake: np.ndarray) -> PerSample:
    """A per-sample statistic with a known sampling distribution: mean(real) - mean(fake)."""

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        return {"diff": float(take_rows(real, real_rows).mean() - take_rows(fake, fake_rows).mean())}

    return PerSample(n_real=len(real), n_fake=len(fake), reduce=reduce)


def test_percentile_interval_covers_the_true_value_at_its_level() -> None:
    # 300 experiments: real ~ N(1, 1), fake ~ N(0, 2²), 80 and 120 samples; true difference 1.
    # A 95 % interval misses about 15 of them; binomial sd 3.8, so 5..27 misses is within 3 sd.
    rng = np.random.default_rng(1)
    misses = 0
    for trial in range(300):
        samples = mean_difference(rng.normal(1.0, 1.0, 80), rng.normal(0.0, 2.0, 120))
        low, high = bootstrap_intervals(
            samples.reduce, 80, 120, samples.value(), replicates=200, seed=trial, name="t"
        )["diff"]
        misses += not low <= 1.0 <= high
    assert 5 <= misses <= 27, misses


def test_same_seed_same_interval_other_seed_another() -> None:
    rng = np.random.default_rng(2)
    samples = mean_difference(rng.normal(size=50), rng.normal(size=50))

    def interval(seed: int) -> tuple[float, float]:
        out = bootstrap_intervals(samples.reduce, 50, 50, samples.value(), replicates=50, seed=seed, name="t")
        return out["diff"]

    assert interval(3) == interval(3) and interval(3) != interval(4)


def test_only_the_asked_keys_and_only_drawn_sides() -> None:
    seen: list[tuple[object, object]] = []

    def replicate(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        seen.append((real_rows, fake_rows))
        return {"a": float(np.mean(real_rows)), "a_std": 1.0, "b": 2.0}

    out = bootstrap_intervals(replicate, 10, 0, {"a": 4.5}, replicates=5, seed=0, name="t")
    assert set(out) == {"a"} and len(seen) == 5
    assert all(r.shape == (10,) and r.min() >= 0 and r.max() < 10 and f is None for r, f in seen)
    with pytest.raises(ValueError, match="replicates"):
        bootstrap_intervals(replicate, 10, 0, {"a": 4.5}, replicates=0, seed=0, name="t")


def test_recompute_draws_real_rows_then_generated_rows_from_the_documented_generator() -> None:
    real, fake = feature_set(60), feature_set(40, shift=0.5, seed=1)
    (s,) = score(["fid"], real=real, fake=fake, train=real, class_prior=PRIOR, bootstrap=30, seed=5)
    rng = np.random.default_rng([5, 0xB007])
    values = []
    for _ in range(30):
        r, f = rng.integers(0, 60, 60), rng.integers(0, 40, 40)
        values.append(METRICS["fid"](real=real.features[r], fake=fake.features[f])["fid"])
    shifted = s.value - np.mean(values) + np.array(values)  # minus the bootstrap's bias estimate
    assert (s.ci_low, s.ci_high) == pytest.approx(tuple(np.percentile(shifted, [2.5, 97.5])), rel=1e-12)
    assert s.ci_method == "bootstrap-recompute" and s.params["bootstrap"] == 30


def test_recompute_replicate_takes_the_drawn_rows() -> None:
    real, fake = feature_set(5), feature_set(4, seed=1)
    replicate = recompute_replicate(lambda r, f: {"n": float(len(r) + 10 * len(f))}, real, fake)
    assert replicate(np.array([0, 0, 1]), None) == {"n": 43.0}


def test_per_sample_measure_computes_its_samples_once_and_keeps_its_value(monkeypatch) -> None:
    calls = []
    spec = METRICS["density-coverage"]

    def counted(**inputs: object) -> PerSample:
        calls.append(1)
        return spec.per_sample(**inputs)

    monkeypatch.setitem(METRICS._entries, spec.name, dataclasses.replace(spec, per_sample=counted))
    real, fake = feature_set(200), feature_set(200, shift=0.3, seed=1)
    plain = score(["density-coverage"], real=real, fake=fake, train=real, class_prior=PRIOR)
    boot = score(["density-coverage"], real=real, fake=fake, train=real, class_prior=PRIOR, bootstrap=100)
    assert len(calls) == 1  # one pass; the 100 replicates reduce its per-sample counts
    assert [s.value for s in boot] == [s.value for s in plain]
    assert all(s.ci_method is None and s.ci_low is None for s in plain)
    for s in boot:
        assert s.ci_method == "bootstrap-per-sample" and s.ci_low <= s.value <= s.ci_high
        assert s.params == plain[0].params | {"bootstrap": 100}


def test_a_key_computed_once_and_a_measure_without_an_interval_say_none(monkeypatch) -> None:
    real, fake = feature_set(120), feature_set(120, shift=0.3, seed=1)
    scores = score(["mmd"], real=real, fake=fake, train=real, class_prior=PRIOR, bootstrap=20)
    by_key = {s.key: s for s in scores}
    assert by_key["mmd"].ci_method == "bootstrap-per-sample" and by_key["mmd"].ci_low is not None
    assert by_key["mmd_pvalue"].ci_method == "none" and by_key["mmd_pvalue"].ci_low is None

    calls = []
    spec = METRICS["swd"]

    def counted(**inputs: object) -> dict[str, float]:
        calls.append(1)
        return spec.fn(**inputs)

    small = {"patches_per_image": 4, "projections": 8}  # its parameters, lowered: only the calls count here
    monkeypatch.setitem(METRICS._entries, spec.name, dataclasses.replace(spec, fn=counted, defaults=small))
    scores = score(["swd"], real=real, fake=fake, train=real, class_prior=PRIOR, bootstrap=20)
    assert len(calls) == 1 and scores
    assert all(s.ci_method == "none" and s.ci_low is None and s.params["bootstrap"] == 20 for s in scores)


def test_a_key_undefined_on_many_resamples_gets_no_interval_rather_than_a_selected_one() -> None:
    def replicate(real_rows: np.ndarray | None, fake_rows: np.ndarray | None) -> dict[str, float]:
        rows = np.arange(10) if real_rows is None else real_rows
        undefined = np.isin(0, rows)  # undefined whenever row 0 is drawn: most resamples
        return {"rare": float(rows.mean()), "often": np.nan if undefined else float(rows.mean())}

    intervals = bootstrap_intervals(
        replicate, 10, 0, {"rare": 4.5, "often": 4.5}, replicates=200, seed=0, name="t"
    )
    assert "rare" in intervals and "often" not in intervals
