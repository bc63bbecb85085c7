"""Adversarial accuracy and divergence (Yang et al. 2017, LR-GAN, arXiv:1703.01560): real MNIST digits
stand in for generated images, and a small classifier trained here on other real digits is C_r.

Known answers: real digits as the generated set teach C_g about as well as C_r learnt (the ratio
near 1, a small divergence); digits of one class teach C_g one class, so it is right on about that
class's share of the test set (~10 %) and far from C_r's posteriors; C_r's accuracy and the
divergence are recomputed here by hand from the two classifiers' logits.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganbench.classifier import ClassifierSettings, classify, train_classifier
from ganbench.datasets import Dataset
from ganbench.images import uint8_to_pixels, unit_to_uint8
from ganbench.metrics.adversarial_accuracy import adversarial_accuracy, adversarial_accuracy_samples
from ganbench.metrics.spec import ClassifierHandle
from ganbench.registry import METRICS

CPU = torch.device("cpu")
#: C_r's and C_g's steps here (the measure's default, 300, is the domain classifier's budget on mnist-5k)
STEPS = 60


@pytest.fixture(scope="module")
def digits(mnist_5k: Dataset) -> dict:
    train, test = mnist_5k.train, mnist_5k.test
    net = train_classifier(
        train.images[:1000], train.labels[:1000], 10, ClassifierSettings(), CPU, steps=STEPS
    )
    return {
        "c_r": ClassifierHandle(net, 10, CPU),
        "real": uint8_to_pixels(test.images[:300]),
        "real_labels": test.labels[:300].numpy(),
        "samples": uint8_to_pixels(train.images[1000:2000]),
        "sample_labels": train.labels[1000:2000].numpy(),
    }


def score(d: dict, fake: np.ndarray, **params: object) -> dict[str, float]:
    inputs = {"steps": STEPS} | params
    return METRICS["adversarial-accuracy"](
        real=d["real"], fake=fake, classifier=d["c_r"], real_labels=d["real_labels"], **inputs
    )


@pytest.fixture(scope="module")
def scored(digits: dict) -> dict[str, dict[str, float]]:
    """Each case trains C_g once; the tests below read these values."""
    ones = digits["samples"][digits["sample_labels"] == 1]
    return {"real-like": score(digits, digits["samples"]), "one class": score(digits, ones)}


def c_r_accuracy(d: dict) -> float:
    return float((d["c_r"].logits(d["real"]).argmax(axis=1) == d["real_labels"]).mean())


@pytest.mark.slow
def test_real_digits_teach_as_well_as_real_data(digits: dict, scored: dict) -> None:
    out = scored["real-like"]
    reference = c_r_accuracy(digits)
    assert reference > 0.85  # C_r: 60 steps on 1,000 digits
    # C_g learns from as many images for as many steps as C_r, with C_r's labels (C_r is ~90 % right)
    assert out["adversarial_accuracy"] > 0.8
    ratio = out["adversarial_accuracy"] / reference
    assert out["adversarial_accuracy_ratio"] == pytest.approx(ratio, rel=1e-12)
    assert out["adversarial_accuracy_ratio"] == pytest.approx(1.0, abs=0.1)
    assert 0 <= out["adversarial_divergence"] < 0.6


@pytest.mark.slow
def test_one_class_teaches_one_class(digits: dict, scored: dict) -> None:
    """C_g sees (almost) only 1s, labelled 1 by C_r: it answers 1, right on the test set's 1s."""
    out = scored["one class"]
    share_of_ones = float((digits["real_labels"] == 1).mean())
    assert out["adversarial_accuracy"] == pytest.approx(share_of_ones, abs=0.05)
    assert out["adversarial_accuracy_ratio"] < 0.25
    assert out["adversarial_divergence"] > 5 * scored["real-like"]["adversarial_divergence"]
    assert out["adversarial_divergence"] > 2.0


@pytest.mark.slow
def test_divergence_and_accuracies_by_hand(digits: dict) -> None:
    """The measure's keys recomputed from C_r's logits and a C_g trained the same way (same seed)."""
    fake = digits["samples"][:300]
    out = score(digits, fake, steps=10, seed=3)
    c_r = digits["c_r"]
    labels = torch.from_numpy(c_r.logits(fake).argmax(axis=1))
    as_uint8 = unit_to_uint8(torch.as_tensor(fake))
    test_uint8 = unit_to_uint8(torch.as_tensor(digits["real"]))
    c_g = train_classifier(as_uint8, labels, 10, ClassifierSettings(seed=3), CPU, steps=10, progress=False)
    logits_g = classify(c_g, test_uint8, CPU)[1].astype(np.float64)
    logits_r = c_r.logits(digits["real"]).astype(np.float64)
    p_r = np.exp(logits_r) / np.exp(logits_r).sum(axis=1, keepdims=True)
    p_g = np.exp(logits_g) / np.exp(logits_g).sum(axis=1, keepdims=True)
    kl = (p_r * (np.log(p_r) - np.log(p_g))).sum(axis=1)
    accuracy = float((logits_g.argmax(axis=1) == digits["real_labels"]).mean())
    assert out["adversarial_accuracy"] == pytest.approx(accuracy, abs=1e-12)
    assert out["adversarial_accuracy_ratio"] == pytest.approx(accuracy / c_r_accuracy(digits), rel=1e-12)
    assert out["adversarial_divergence"] == pytest.approx(kl.mean(), rel=1e-6)


def test_a_resample_draws_real_test_images(digits: dict) -> None:
    samples = adversarial_accuracy_samples(
        real=digits["real"],
        fake=digits["samples"][:100],
        classifier=digits["c_r"],
        real_labels=digits["real_labels"],
        steps=1,
    )
    assert (samples.n_real, samples.n_fake) == (300, 0)
    only_first = samples.reduce(np.zeros(300, dtype=np.int64), None)  # one image, 300 times
    assert only_first["adversarial_accuracy"] in (0.0, 1.0)


def test_seeded(digits: dict) -> None:
    fake = digits["samples"][:100]
    inputs = {"real": digits["real"], "classifier": digits["c_r"], "real_labels": digits["real_labels"]}
    a = adversarial_accuracy(fake=fake, steps=1, **inputs)
    b = adversarial_accuracy(fake=fake, steps=1, **inputs)
    c = adversarial_accuracy(fake=fake, steps=1, seed=1, **inputs)
    assert a == pytest.approx(b, rel=1e-9, abs=1e-12)
    assert a["adversarial_divergence"] != c["adversarial_divergence"]  # another C_g


def test_bad_inputs_are_refused(digits: dict) -> None:
    with pytest.raises(ValueError, match="real and fake must hold images of the same"):
        score(digits, digits["samples"][:, :, :14, :14])
    with pytest.raises(ValueError, match="real_labels holds label 10"):
        METRICS["adversarial-accuracy"](
            real=digits["real"],
            fake=digits["samples"],
            classifier=digits["c_r"],
            real_labels=digits["real_labels"] + 1,
        )
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        score(digits, digits["samples"], steps=0)
