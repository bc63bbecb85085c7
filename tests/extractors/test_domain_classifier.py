import numpy as np
import torch

from ganbench.classifier import FEATURE_DIM, ClassifierSettings, random_shift
from ganbench.datasets import Dataset
from ganbench.extractors.domain_classifier import cache_path
from ganbench.registry import EXTRACTORS


def test_trains_caches_and_reloads(tiny_digits: Dataset, tmp_path) -> None:
    first = EXTRACTORS["domain-classifier"](tiny_digits, cache_dir=tmp_path, epochs=1, progress=False)
    assert 0.0 <= first.accuracy <= 1.0
    assert cache_path(tiny_digits, ClassifierSettings(epochs=1), tmp_path).exists()
    again = EXTRACTORS["domain-classifier"](tiny_digits, cache_dir=tmp_path, epochs=1, progress=False)
    assert again.identity == first.identity and again.accuracy == first.accuracy
    out = first(tiny_digits.test.images[:7], progress=False)
    assert out["features"].shape == (7, FEATURE_DIM) and out["logits"].shape == (7, 10)
    assert out["features"].dtype == np.float32
    np.testing.assert_array_equal(out["logits"], again(tiny_digits.test.images[:7], progress=False)["logits"])


def test_same_seed_same_weights(tiny_digits: Dataset, tmp_path) -> None:
    a = EXTRACTORS["domain-classifier"](tiny_digits, cache_dir=tmp_path / "a", epochs=1, progress=False)
    b = EXTRACTORS["domain-classifier"](tiny_digits, cache_dir=tmp_path / "b", epochs=1, progress=False)
    c = EXTRACTORS["domain-classifier"](
        tiny_digits, cache_dir=tmp_path / "c", epochs=1, seed=1, progress=False
    )
    assert a.identity.weights_sha256 == b.identity.weights_sha256 != c.identity.weights_sha256


def test_corrupt_cache_is_rebuilt_with_a_warning(tiny_digits: Dataset, tmp_path) -> None:
    import pytest

    path = cache_path(tiny_digits, ClassifierSettings(epochs=1), tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a checkpoint")
    with pytest.warns(UserWarning, match="unreadable classifier cache"):
        classifier = EXTRACTORS["domain-classifier"](
            tiny_digits, cache_dir=tmp_path, epochs=1, progress=False
        )
    assert 0.0 <= classifier.accuracy <= 1.0


def test_random_shift_moves_whole_pixels() -> None:
    x = torch.full((50, 1, 8, 8), -1.0)
    x[:, :, 3:5, 3:5] = 1.0
    shifted = random_shift(x, 2, torch.Generator().manual_seed(0))
    assert torch.equal(shifted.unique(), torch.tensor([-1.0, 1.0]))
    assert (shifted == 1.0).sum(dim=(1, 2, 3)).eq(4).all()  # the blob moves, never leaves or blurs
    assert not torch.equal(shifted, x)
