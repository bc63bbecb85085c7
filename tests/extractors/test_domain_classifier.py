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


def _colour_dataset(name: str, num_classes: int, size: int) -> Dataset:
    """RGB images whose class is the colour channel that is lit (one class: all random)."""
    from ganbench.datasets import ImageSet

    def split(n: int, seed: int) -> ImageSet:
        g = torch.Generator().manual_seed(seed)
        labels = torch.arange(n) % num_classes
        images = torch.randint(0, 60, (n, 3, size, size), generator=g, dtype=torch.uint8)
        if num_classes > 1:
            images[torch.arange(n), labels] += 180
        return ImageSet(images, labels.to(torch.int64))

    return Dataset(name, split(96, 0), split(30, 1), num_classes, "test colours")


def test_rgb_32_and_64_train_and_extract(tmp_path) -> None:
    for size in (32, 64):
        data = _colour_dataset("folder:/data/colours,size=64", 3, size)
        classifier = EXTRACTORS["domain-classifier"](data, cache_dir=tmp_path, epochs=3, progress=False)
        out = classifier(data.test.images, progress=False)
        assert out["features"].shape == (30, FEATURE_DIM) and out["logits"].shape == (30, 3)
        assert classifier.identity.has_logits and classifier.accuracy > 0.9  # the lit channel is easy


def test_folder_spelling_gives_a_plain_cache_file_name(tmp_path) -> None:
    path = cache_path(_colour_dataset("folder:/data/my faces,size=64", 3, 32), ClassifierSettings(), tmp_path)
    assert path.parent == tmp_path / "extractors"
    assert path.name.startswith("domain-classifier-folder_data_my_faces_size_64-") and path.suffix == ".pt"


def test_one_class_is_an_untrained_random_embedding_without_logits(tmp_path) -> None:
    data = _colour_dataset("folder:/data/faces", 1, 32)
    classifier = EXTRACTORS["domain-classifier"](data, cache_dir=tmp_path, epochs=1, progress=False)
    assert not classifier.identity.has_logits and classifier.accuracy is None
    assert "untrained" in classifier.identity.protocol
    out = classifier(data.test.images, progress=False)
    assert set(out) == {"features"} and out["features"].shape == (30, FEATURE_DIM)
    assert np.isfinite(out["features"]).all() and out["features"].std(axis=0).max() > 0
    again = EXTRACTORS["domain-classifier"](data, cache_dir=tmp_path, epochs=1, progress=False)  # cached
    assert again.accuracy is None and again.identity == classifier.identity
