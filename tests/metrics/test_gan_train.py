"""GAN-train / CAS (Shmelkov et al. 2018; Ravuri & Vinyals 2019): real MNIST digits stand in for samples."""

from __future__ import annotations

import numpy as np
import pytest

import ganbench.metrics.gan_train as gan_train_module
from ganbench.datasets import Dataset
from ganbench.images import uint8_to_pixels
from ganbench.metrics.gan_train import gan_train
from ganbench.numerics.memo import clear_memos


@pytest.fixture(scope="module")
def digits(mnist_5k: Dataset) -> dict[str, np.ndarray]:
    train, test = mnist_5k.train, mnist_5k.test
    return {
        "real": uint8_to_pixels(test.images[:500]),
        "real_labels": test.labels[:500].numpy(),
        "train": uint8_to_pixels(train.images[:1000]),
        "train_labels": train.labels[:1000].numpy(),
        "samples": uint8_to_pixels(train.images[1000:2000]),
        "sample_labels": train.labels[1000:2000].numpy(),
    }


STEPS = 60  # enough for digits here; the default (300) is the domain classifier's budget on mnist-5k


def score(
    d: dict[str, np.ndarray], fake: np.ndarray, labels: np.ndarray, steps: int = STEPS
) -> dict[str, float]:
    return gan_train(
        real=d["real"],
        fake=fake,
        fake_labels=labels,
        real_labels=d["real_labels"],
        train=d["train"],
        train_labels=d["train_labels"],
        num_classes=10,
        steps=steps,
    )


@pytest.fixture(scope="module")
def scored(digits: dict[str, np.ndarray]) -> dict[str, dict[str, float]]:
    """Each case trained once (two classifiers each): the tests below read these values."""
    samples, labels = digits["samples"], digits["sample_labels"]
    five = labels < 5
    return {
        "real-like": score(digits, samples, labels),
        "shuffled": score(digits, samples, np.random.default_rng(0).permutation(labels)),
        "five classes": score(digits, samples[five], labels[five]),
        "few": score(digits, samples[:40], labels[:40]),
    }


def test_samples_as_good_as_real_data_teach_as_well(scored: dict[str, dict[str, float]]) -> None:
    """Other real digits with their true labels: the classifier trained on them is as good as the baseline."""
    out = scored["real-like"]
    assert out["gan_train_real_accuracy"] > 0.8  # 60 steps on 1,000 images teach digits
    assert abs(out["gan_train_gap"]) < 0.06
    assert out["gan_train_gap"] == pytest.approx(out["gan_train_real_accuracy"] - out["gan_train_accuracy"])


def test_samples_with_the_wrong_labels_teach_nothing(scored: dict[str, dict[str, float]]) -> None:
    """A generator that ignores its class input: the labels say nothing about the images."""
    out = scored["shuffled"]
    assert out["gan_train_accuracy"] < 0.3
    assert out["gan_train_gap"] > 0.5


def test_mode_dropping_within_the_set_costs_accuracy(scored: dict[str, dict[str, float]]) -> None:
    """Samples of five classes only: the classifier never sees the other five, so it misses about half."""
    out = scored["five classes"]
    assert out["gan_train_accuracy"] < 0.6 < out["gan_train_real_accuracy"]


def test_the_baseline_sees_as_many_images_as_the_samples(scored: dict[str, dict[str, float]]) -> None:
    """The real-data classifier is trained on min(M, N_train) images, so fewer samples lower it too."""
    assert scored["few"]["gan_train_real_accuracy"] < scored["real-like"]["gan_train_real_accuracy"]


def test_bad_inputs_are_refused(digits: dict[str, np.ndarray]) -> None:
    with pytest.raises(ValueError, match="real and fake must hold images of the same"):
        score(digits, digits["samples"][:, :, :14, :14], digits["sample_labels"])
    with pytest.raises(ValueError, match="fake_labels holds label 10"):
        score(digits, digits["samples"], digits["sample_labels"] + 1)


def test_the_baseline_is_trained_once_for_the_same_training_and_test_images(
    digits: dict[str, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two generators scored against the same data: the real-data classifier is trained for the
    first only, and both get the same baseline; the generated side is trained for each."""
    clear_memos()
    trained: list[str] = []
    original = gan_train_module._held_out_hits

    def counting(*args: object) -> np.ndarray:
        trained.append(str(args[-1]))
        return original(*args)

    monkeypatch.setattr(gan_train_module, "_held_out_hits", counting)
    samples, labels = digits["samples"], digits["sample_labels"]
    first = score(digits, samples[:200], labels[:200], steps=3)  # the values do not matter here
    second = score(digits, samples[200:400], labels[200:400], steps=3)
    assert trained == ["GAN-train", "real", "GAN-train"]
    assert first["gan_train_real_accuracy"] == second["gan_train_real_accuracy"]
    clear_memos()
    assert score(digits, samples[:200], labels[:200], steps=3) == first  # cold: the same value, trained again
    assert trained[-2:] == ["GAN-train", "real"]
