from pathlib import Path

import numpy as np
import torch

from ganbench.evaluation.features import FeatureSet, extract
from ganbench.evaluation.scoring import metric_params, score
from ganbench.extractors import ExtractorIdentity
from ganbench.registry import METRICS


def feature_set(n: int, shift: float = 0.0, seed: int = 0) -> FeatureSet:
    rng = np.random.default_rng(seed)
    return FeatureSet(
        pixels=rng.uniform(size=(n, 1, 28, 28)).astype(np.float32),
        features=(rng.normal(size=(n, 16)) + shift).astype(np.float32),
        logits=rng.normal(size=(n, 10)).astype(np.float32),
    )


PRIOR = np.full(10, 0.1)


def test_scores_carry_directions_spaces_and_params() -> None:
    real, fake = feature_set(300), feature_set(300, shift=1.0, seed=1)
    scores = score(["fid", "kid", "is"], real=real, fake=fake, train=real, class_prior=PRIOR)
    by_key = {s.key: s for s in scores}
    assert set(by_key) == {"fid", "kid", "is"}
    assert by_key["fid"].direction == "lower" and by_key["is"].direction == "higher"
    assert by_key["kid"].std is not None and by_key["kid"].params["subset_size"] == 300  # capped at n
    assert by_key["fid"].space == "features" and by_key["is"].space == "logits"


def test_bootstrap_interval_brackets_the_value_and_is_seeded() -> None:
    real, fake = feature_set(200), feature_set(200, shift=0.5, seed=1)

    def run(seed: int) -> tuple[float, float, float]:
        (s,) = score(["fid"], real=real, fake=fake, train=real, class_prior=PRIOR, bootstrap=20, seed=seed)
        return s.value, s.ci_low, s.ci_high

    value, low, high = run(0)
    assert low < high and low <= value * 1.5 and high >= value * 0.5
    assert run(0) == (value, low, high) and run(1)[1:] != (low, high)


def test_failing_metric_is_reported_and_others_survive() -> None:
    tiny = feature_set(3)  # precision-recall needs more than k=3 points per set
    errors: list[str] = []
    scores = score(
        ["precision-recall", "fid"],
        real=tiny,
        fake=tiny,
        train=tiny,
        class_prior=PRIOR,
        on_error=lambda name, err: errors.append(name),
    )
    assert errors == ["precision-recall"] and [s.key for s in scores] == ["fid"]


def test_metric_params_use_the_run_seed() -> None:
    params = metric_params(METRICS["kid"], 5000, 400, seed=7)
    assert params["seed"] == 7 and params["subset_size"] == 400


class CountingExtractor:
    identity = ExtractorIdentity("counting", "0" * 16, "test")

    def __init__(self) -> None:
        self.calls = 0

    def __call__(
        self, images: torch.Tensor, *, desc: str = "", progress: bool = True
    ) -> dict[str, np.ndarray]:
        self.calls += 1
        flat = images.flatten(1).float().numpy()
        return {"features": flat[:, :8], "logits": flat[:, :10]}


def test_feature_cache_is_keyed_by_content(tmp_path: Path, images: torch.Tensor) -> None:
    extractor = CountingExtractor()
    first = extract(extractor, images, desc="a", progress=False, cache_dir=tmp_path)
    again = extract(extractor, images, desc="a", progress=False, cache_dir=tmp_path)
    assert extractor.calls == 1
    np.testing.assert_array_equal(first.features, again.features)
    extract(extractor, images[:-1], desc="a", progress=False, cache_dir=tmp_path)
    changed = images.clone()
    changed[0, 0, 0, 0] ^= 1
    extract(extractor, changed, desc="a", progress=False, cache_dir=tmp_path)
    assert extractor.calls == 3


def test_unreadable_cache_entry_is_recomputed(tmp_path: Path, images: torch.Tensor) -> None:
    extractor = CountingExtractor()
    extract(extractor, images, desc="a", progress=False, cache_dir=tmp_path)
    (entry,) = tmp_path.glob("*.npz")
    entry.write_bytes(b"garbage")
    out = extract(extractor, images, desc="a", progress=False, cache_dir=tmp_path)
    assert extractor.calls == 2 and out.features.shape == (len(images), 8)


def test_feature_set_take() -> None:
    fs = feature_set(5)
    sub = fs.take(np.array([0, 0, 4]))
    assert len(sub) == 3 and np.array_equal(sub.features[0], sub.features[1])


def test_each_score_says_where_its_measure_computed(monkeypatch) -> None:
    # measures that take the device get the evaluation's device and say so; numpy-only ones say cpu
    import dataclasses

    seen: list[object] = []
    knn = METRICS["precision-recall"]

    def spy(**inputs: object) -> dict[str, float]:
        seen.append(inputs["device"])
        return knn.fn(**inputs)

    monkeypatch.setitem(METRICS._entries, "precision-recall", dataclasses.replace(knn, fn=spy))
    real, fake = feature_set(100), feature_set(100, shift=0.5, seed=1)
    device = torch.device("cpu")
    scores = score(
        ["precision-recall", "fid"], real=real, fake=fake, train=real, class_prior=PRIOR, device=device
    )
    assert seen == [device]
    assert {s.key: s.device for s in scores} == {"precision": "cpu", "recall": "cpu", "fid": "cpu"}
    assert "device" in METRICS["precision-recall"].runtime and "device" not in METRICS["fid"].runtime
