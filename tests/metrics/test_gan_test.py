"""GAN-test (Shmelkov et al. 2018): known answers from a classifier that reads the class off the image."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from ganbench.metrics.gan_test import gan_test
from ganbench.metrics.spec import ClassifierHandle

K = 10


class ReadsTheCorner(nn.Module):
    """Predicts the class written in pixel (0, 0): value 20 * y / 255 (exact in 8 bits)."""

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        level = torch.round((x[:, 0, 0, 0] + 1) * 127.5 / 20).long()
        return x.flatten(1), 10.0 * nn.functional.one_hot(level, K).float()


def images_of(classes: np.ndarray) -> np.ndarray:
    """pixels [M, 1, 8, 8] in [0, 1], class y written as 20 * y / 255 in pixel (0, 0)."""
    x = np.full((len(classes), 1, 8, 8), 0.5, dtype=np.float32)
    x[:, 0, 0, 0] = 20 * classes / 255
    return x


def handle() -> ClassifierHandle:
    return ClassifierHandle(ReadsTheCorner(), K, torch.device("cpu"))


def test_accuracy_and_worst_class_are_the_counted_shares() -> None:
    drawn = np.arange(50) % K  # five images of every class
    asked = drawn.copy()
    asked[drawn == 3] = 4  # the generator was asked for 4 where it drew 3: all five wrong
    asked[np.flatnonzero(drawn == 7)[:2]] = 1  # and twice 1 where it drew 7
    out = gan_test(real=images_of(drawn), fake=images_of(drawn), classifier=handle(), fake_labels=asked)
    assert out["gan_test_accuracy"] == pytest.approx(43 / 50, abs=1e-15)
    # class 4 was asked for ten times (five right), class 1 seven times (five right), class 3 never
    assert out["gan_test_worst_class_accuracy"] == pytest.approx(5 / 10, abs=1e-15)


def test_a_perfect_conditional_generator_scores_one() -> None:
    labels = np.arange(30) % K
    out = gan_test(real=images_of(labels), fake=images_of(labels), classifier=handle(), fake_labels=labels)
    assert out == {"gan_test_accuracy": 1.0, "gan_test_worst_class_accuracy": 1.0}


def test_labels_that_do_not_fit_are_refused() -> None:
    labels = np.arange(20) % K
    x = images_of(labels)
    with pytest.raises(ValueError, match="holds label 10, but there are 10 classes"):
        gan_test(real=x, fake=x, classifier=handle(), fake_labels=labels + 1)
    with pytest.raises(ValueError, match=r"one label per image, shape \(20,\)"):
        gan_test(real=x, fake=x, classifier=handle(), fake_labels=labels[:5])
    with pytest.raises(ValueError, match="integer class labels"):
        gan_test(real=x, fake=x, classifier=handle(), fake_labels=labels.astype(float))
