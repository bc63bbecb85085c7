"""Intra-FID (Miyato & Koyama 2018): the mean of per-class FIDs, checked against FID itself."""

from __future__ import annotations

import numpy as np
import pytest

from ganbench.metrics.fid import fid
from ganbench.metrics.intra_fid import intra_fid


def clusters(seed: int, n_per_class: int = 60, d: int = 6, k: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Features [k * n, d]: class y a Gaussian centred at 5 * y along every axis; labels [k * n]."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(k), n_per_class)
    return rng.standard_normal((len(labels), d)) + 5.0 * labels[:, None], labels


def test_it_is_the_mean_and_max_of_the_per_class_fids() -> None:
    real, y_real = clusters(0)
    fake, y_fake = clusters(1)
    fake[y_fake == 2] *= 1.5  # one class is worse
    per_class = [fid(real=real[y_real == c], fake=fake[y_fake == c])["fid"] for c in range(4)]
    out = intra_fid(real=real, fake=fake, real_labels=y_real, fake_labels=y_fake)
    assert out["intra_fid"] == pytest.approx(np.mean(per_class), rel=1e-12)
    assert out["intra_fid_worst"] == pytest.approx(per_class[2], rel=1e-12) == pytest.approx(max(per_class))


def test_right_images_under_the_wrong_labels_score_badly_though_fid_is_good() -> None:
    real, y_real = clusters(0)
    fake, y_fake = clusters(1)
    right = intra_fid(real=real, fake=fake, real_labels=y_real, fake_labels=y_fake)
    swapped = intra_fid(real=real, fake=fake, real_labels=y_real, fake_labels=(y_fake + 1) % 4)
    assert fid(real=real, fake=fake)["fid"] < 1.0  # the whole set is fine
    assert right["intra_fid"] < 1.0 and swapped["intra_fid"] > 100 * right["intra_fid"]


def test_identical_sets_score_zero() -> None:
    real, y_real = clusters(0)
    out = intra_fid(real=real, fake=real.copy(), real_labels=y_real, fake_labels=y_real)
    assert out["intra_fid"] == pytest.approx(0.0, abs=1e-8)


def test_only_the_generated_classes_count() -> None:
    real, y_real = clusters(0)
    fake, y_fake = clusters(1)
    keep = y_fake < 2
    per_class = [fid(real=real[y_real == c], fake=fake[y_fake == c])["fid"] for c in range(2)]
    out = intra_fid(real=real, fake=fake[keep], real_labels=y_real, fake_labels=y_fake[keep])
    assert out["intra_fid"] == pytest.approx(np.mean(per_class), rel=1e-12)


def test_classes_without_enough_images_are_refused() -> None:
    real, y_real = clusters(0)
    fake, y_fake = clusters(1)
    with pytest.raises(ValueError, match=r"classes \[4\] that the real set has no images of"):
        intra_fid(real=real, fake=fake, real_labels=y_real, fake_labels=np.where(y_fake == 3, 4, y_fake))
    y_real_one = y_real.copy()
    y_real_one[y_real == 1] = 2
    y_real_one[0] = 1  # only one real image of class 1
    with pytest.raises(ValueError, match="class 1 has 1 real and 60 generated"):
        intra_fid(real=real, fake=fake, real_labels=y_real_one, fake_labels=y_fake)
