"""Input checks shared by the measures: matrices, image sets, logits, priors, seeds and integer parameters.

Each check returns the value in the form the caller computes with (float64 matrices, float32
image tensors, ``int``) or raises ``ValueError`` with a message that names the argument, says
what was given and what is accepted. User input never reaches an ``assert``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch

from ganbench.numerics import active_pass

_PIXEL_RANGE_TOLERANCE = 1e-3  # values a hair outside [0, 1] (e.g. from resampling) are accepted


def integer(name: str, value: object, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an ``int`` within [minimum, maximum]; else ``ValueError`` naming ``name``.

    Python and numpy integers pass, and so do floats with an integral value (``3.0``, as a TOML
    file may write it); ``2.5``, booleans, strings and NaN are refused.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be an integer; got {value!r}")
    if isinstance(value, numbers.Integral):
        out = int(value)
    else:
        as_float = float(value)
        if not math.isfinite(as_float) or not as_float.is_integer():
            raise ValueError(f"{name} must be an integer; got {value!r}")
        out = int(as_float)
    if minimum is not None and out < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}")
    if maximum is not None and out > maximum:
        raise ValueError(f"{name} must be an integer <= {maximum}; got {value!r}")
    return out


def positive_int(name: str, value: object) -> int:
    """``value`` as an ``int`` >= 1 (see :func:`integer`)."""
    return integer(name, value, minimum=1)


def real_number(
    name: str, value: object, *, low: float | None = None, high: float | None = None, open_low: bool = False
) -> float:
    """``value`` as a finite ``float`` in [low, high] (``(low, high]`` with ``open_low``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    out = float(value)
    if low is not None and (out < low or (open_low and out == low)):
        raise ValueError(f"{name} must be {'>' if open_low else '>='} {low:g}; got {value!r}")
    if high is not None and out > high:
        raise ValueError(f"{name} must be <= {high:g}; got {value!r}")
    return out


def check_seed(seed: object) -> int:
    """A seed for ``numpy.random.RandomState`` and ``default_rng``: an integer in [0, 2**32)."""
    return integer("seed", seed, minimum=0, maximum=2**32 - 1)


def as_matrix(name: str, x: object, *, min_rows: int = 1) -> np.ndarray:
    """Return ``x`` as a finite, C-contiguous float64 array [N, D]; raise ``ValueError`` if it is not one.

    Args:
        name: the argument's name, for the message (``"real"``, ``"fake"``).
        x: numpy array, torch tensor (any device) or nested sequence, [N, D].
        min_rows: the least N the caller can work with.
    """
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    arr = np.ascontiguousarray(x, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array [N, D]; got shape {arr.shape}")
    if arr.shape[1] < 1:
        raise ValueError(f"{name} must have at least one column; got shape {arr.shape}")
    if arr.shape[0] < min_rows:
        raise ValueError(f"{name} needs at least {min_rows} rows; got {arr.shape[0]}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def as_features(name: str, x: object, *, min_rows: int = 1) -> np.ndarray:
    """Like :func:`as_matrix`, but a float32 numpy array stays float32 (C-contiguous, not copied
    when it already is): for the passes that compute in float32 tiles or chunks and widen rows to
    float64 only where they need to (every float32 value is a float64 value, so nothing changes),
    which spares a 50k x 2048 feature set its 800 MB float64 copy."""
    if not (isinstance(x, np.ndarray) and x.dtype == np.float32):
        return as_matrix(name, x, min_rows=min_rows)
    if x.shape[0] >= min_rows and active_pass.ask("checked", x):  # a shared pass checked this very array
        return x
    if x.ndim != 2 or x.shape[1] < 1 or x.shape[0] < min_rows or not np.isfinite(x).all():
        return as_matrix(name, x, min_rows=min_rows)  # raises the usual message
    return np.ascontiguousarray(x)


def as_pair(
    real: object, fake: object, *, min_real: int = 1, min_fake: int = 1, keep_float32: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Check ``real`` [N, D] and ``fake`` [M, D] (same D) and return both as float64 matrices
    (float32 arrays stay float32 with ``keep_float32``, see :func:`as_features`)."""
    check = as_features if keep_float32 else as_matrix
    r = check("real", real, min_rows=min_real)
    f = check("fake", fake, min_rows=min_fake)
    if r.shape[1] != f.shape[1]:
        raise ValueError(
            f"real and fake must have the same number of columns (same feature space); "
            f"got {r.shape[1]} and {f.shape[1]}"
        )
    return r, f


def same_width(**matrices: np.ndarray) -> None:
    """Raise ``ValueError`` unless every named matrix [N_i, D] has the same D."""
    widths = {name: m.shape[1] for name, m in matrices.items()}
    if len(set(widths.values())) > 1:
        raise ValueError(
            f"{', '.join(widths)} must have the same feature size; got "
            + ", ".join(f"{n}: {w}" for n, w in widths.items())
        )


def check_logits(real: object, fake: object, *, min_rows: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Check a pair of logit arrays [N, K] and [M, K] (same K, K >= 2, M >= ``min_rows``); return float64."""
    r, f = as_pair(real, fake, min_fake=min_rows)
    if f.shape[1] < 2:
        raise ValueError(f"logits need at least 2 classes; got shape {f.shape}")
    return r, f


def check_prior(class_prior: object, n_classes: int) -> np.ndarray:
    """Check the class prior ``p*(y)`` (float64 [K], non-negative, summing to 1) and renormalise it exactly.

    Raises:
        ValueError: wrong length, negative or non-finite entries, or a sum away from 1 (pass
            ``counts / counts.sum()`` rather than raw label counts).
    """
    prior = np.asarray(class_prior, dtype=np.float64)
    if prior.shape != (n_classes,):
        raise ValueError(f"class_prior must have shape ({n_classes},) to match the logits; got {prior.shape}")
    if not np.all(np.isfinite(prior)) or np.any(prior < 0):
        raise ValueError("class_prior must be finite and non-negative")
    total = prior.sum()
    if not np.isclose(total, 1.0, rtol=0.0, atol=1e-4):
        raise ValueError(
            f"class_prior must sum to 1 (it is p*(y)); got sum {total:.6g}; pass counts / counts.sum()"
        )
    return prior / total


def check_labels(name: str, labels: object, n: int, num_classes: int | None = None) -> np.ndarray:
    """Class labels int64 [n], each in [0, num_classes) when given; else ``ValueError`` saying what is wrong.

    Args:
        name: the argument's name, for the message (``"fake_labels"``).
        labels: numpy array or torch tensor [n] of integers.
        n: the number of images the labels belong to.
        num_classes: K, when known.
    """
    arr = np.asarray(labels.cpu() if isinstance(labels, torch.Tensor) else labels)
    if arr.shape != (n,):
        raise ValueError(f"{name} must hold one label per image, shape ({n},); got {arr.shape}")
    if arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must be integer class labels; got {arr.dtype}")
    arr = arr.astype(np.int64)
    if n and arr.min() < 0:
        raise ValueError(f"{name} holds a negative label ({arr.min()}); class labels are 0 .. K - 1")
    if n and num_classes is not None and arr.max() >= num_classes:
        raise ValueError(
            f"{name} holds label {arr.max()}, but there are {num_classes} classes "
            f"(labels 0 .. {num_classes - 1})"
        )
    return arr


def check_images(name: str, x: object, *, min_images: int = 1) -> torch.Tensor:
    """Return ``x`` as a float32 CPU tensor [N, C, H, W] in [0, 1]; raise ``ValueError`` saying what is wrong.

    Args:
        name: the argument's name, for the message (``"real"``, ``"fake"``, ``"train"``).
        x: numpy array or torch tensor [N, C, H, W], floating point, values in [0, 1].
        min_images: the least N the caller can work with.
    """
    t = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x)
    if t.ndim != 4:
        raise ValueError(f"{name} must be pixels [N, C, H, W]; got shape {tuple(t.shape)}")
    if not t.is_floating_point():
        raise ValueError(
            f"{name} must be floating point in [0, 1]; got {t.dtype} (divide uint8 images by 255)"
        )
    if t.shape[0] < min_images:
        raise ValueError(f"{name} needs at least {min_images} images; got {t.shape[0]}")
    if min(t.shape[1:]) < 1:
        raise ValueError(f"{name} has an empty image dimension: shape {tuple(t.shape)}")
    t = t.detach().to(device="cpu", dtype=torch.float32)
    lo, hi = float(t.min()), float(t.max())
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if lo < -_PIXEL_RANGE_TOLERANCE or hi > 1 + _PIXEL_RANGE_TOLERANCE:
        raise ValueError(
            f"{name} must lie in [0, 1]; got values in [{lo:.4g}, {hi:.4g}] "
            "(uint8 images: divide by 255; tanh outputs: map with (x + 1) / 2)"
        )
    return t


def check_same_shape(real: torch.Tensor, fake: torch.Tensor, other: str = "fake") -> None:
    """Raise ``ValueError`` unless the two sets hold images of the same [C, H, W]."""
    if real.shape[1:] != fake.shape[1:]:
        raise ValueError(
            f"real and {other} must hold images of the same [C, H, W]; "
            f"got {tuple(real.shape[1:])} and {tuple(fake.shape[1:])}"
        )
