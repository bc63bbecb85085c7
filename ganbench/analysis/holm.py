"""Holm's step-down correction of p-values for multiple comparisons.

Holm, S. (1979). "A simple sequentially rejective multiple test procedure." Scandinavian Journal
of Statistics 6(2), 65-70. It controls the family-wise error rate (the chance of any false
rejection in the family) at the nominal level under any dependence between the tests, and is
uniformly more powerful than Bonferroni.
"""

from __future__ import annotations

import numpy as np


def holm(p_values: np.ndarray | list[float]) -> np.ndarray:
    """Holm-adjusted p-values [m], in the order given.

    With the m defined p-values sorted ascending, p_(1) <= ... <= p_(m), the adjusted value of
    p_(i) is max over j <= i of min(1, (m - j + 1) · p_(j)); rejecting where the adjusted value is
    below alpha is Holm's procedure at alpha. NaN p-values (no test possible) stay NaN and are not
    counted in m: the family is the tests that were made.

    Example: p = (0.01, 0.04, 0.03) -> (0.03, 0.06, 0.06).
    """
    p = np.asarray(p_values, dtype=np.float64)
    if p.ndim != 1:
        raise ValueError(f"p-values must be a 1-D sequence; got shape {p.shape}")
    defined = np.flatnonzero(~np.isnan(p))
    if np.any((p[defined] < 0.0) | (p[defined] > 1.0)):
        raise ValueError(f"p-values must lie in [0, 1]; got {p[defined].min()} .. {p[defined].max()}")
    adjusted = np.full(p.shape, np.nan)
    m = defined.size
    order = defined[np.argsort(p[defined], kind="stable")]
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted[order] = np.maximum.accumulate(scaled)
    return adjusted
