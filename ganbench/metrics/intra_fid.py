"""Intra-FID: the FID of each class's generated images against the same class's real images, averaged.

Miyato & Koyama 2018, "cGANs with Projection Discriminator" (ICLR, arXiv:1802.05637), section 5.1:
for a class-conditional generator, FID (Heusel et al. 2017, arXiv:1706.08500) is computed between
the real images of class y and the images generated for class y, for every class, and averaged. A
generator that produces good images of the wrong class, or mixes classes, scores well on FID but
badly here.

- ``intra_fid`` (lower): the mean over classes of the per-class FID;
- ``intra_fid_worst`` (lower): the largest per-class FID.

The classes are those the generated set was generated for; each needs at least two real and two
generated images. Per class there are far fewer samples than in a whole-set FID, so the values are
biased upwards more strongly (FID's bias grows as 1/n): compare intra-FIDs only at equal counts per
class, which the records' ``n_real`` / ``n_fake`` and a balanced label draw give.
"""

from __future__ import annotations

import numpy as np

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.checks import as_pair, check_labels
from ganbench.numerics.gaussian import frechet_distance, mean_and_covariance
from ganbench.numerics.resampling import take_rows


def _per_class_fid(
    real: np.ndarray, real_labels: np.ndarray, fake: np.ndarray, fake_labels: np.ndarray, classes: np.ndarray
) -> np.ndarray:
    """FID of each class in ``classes``: float64 [len(classes)]."""
    out = np.empty(len(classes))
    for i, y in enumerate(classes):
        r, f = real[real_labels == y], fake[fake_labels == y]
        if len(r) < 2 or len(f) < 2:
            raise ValueError(
                f"intra-FID needs at least 2 real and 2 generated images of every class; class {y} has "
                f"{len(r)} real and {len(f)} generated (draw more images, or balanced labels)"
            )
        mu_r, sigma_r = mean_and_covariance(r, cache=False)
        mu_f, sigma_f = mean_and_covariance(f, cache=False)
        out[i] = frechet_distance(mu_r, sigma_r, mu_f, sigma_f)
    return out


def intra_fid_samples(
    *, real: np.ndarray, fake: np.ndarray, real_labels: np.ndarray, fake_labels: np.ndarray
) -> PerSample:
    """Per-class FIDs on the rows of a resample, each image drawn with its label."""
    r, f = as_pair(real, fake, min_real=2, min_fake=2)
    y_real = check_labels("real_labels", real_labels, len(r))
    y_fake = check_labels("fake_labels", fake_labels, len(f))
    classes = np.unique(y_fake)
    missing = np.setdiff1d(classes, y_real)
    if len(missing):
        raise ValueError(
            f"the generated set has classes {missing.tolist()} that the real set has no images of; "
            "intra-FID compares each class with the same class of real images"
        )

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        per_class = _per_class_fid(
            take_rows(r, real_rows),
            take_rows(y_real, real_rows),
            take_rows(f, fake_rows),
            take_rows(y_fake, fake_rows),
            classes,
        )
        return {"intra_fid": float(per_class.mean()), "intra_fid_worst": float(per_class.max())}

    return PerSample(n_real=len(r), n_fake=len(f), reduce=reduce)


@metric(
    "intra-fid",
    space="features",
    directions={"intra_fid": "lower", "intra_fid_worst": "lower"},
    reference="Miyato & Koyama 2018 (arXiv:1802.05637), intra-FID; FID of Heusel et al. 2017",
    extra_inputs=("real_labels", "fake_labels"),
    interval="per-sample",
    per_sample=intra_fid_samples,
    interval_note="a resample draws images with their labels and recomputes every class's FID",
)
def intra_fid(
    *, real: np.ndarray, fake: np.ndarray, real_labels: np.ndarray, fake_labels: np.ndarray
) -> dict[str, float]:
    """Mean and worst per-class FID between real and generated features of the same class.

    Args:
        real: features [N, D] of real images.
        fake: features [M, D] of generated images.
        real_labels: int [N], the real images' classes.
        fake_labels: int [M], the classes the images were generated for.

    Returns:
        ``{"intra_fid": float, "intra_fid_worst": float}``, both >= 0.
    """
    return intra_fid_samples(real=real, fake=fake, real_labels=real_labels, fake_labels=fake_labels).value()
