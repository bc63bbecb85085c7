"""Tests for the kernel two-sample statistics."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch_fidelity.metric_kid import mmd2 as tf_mmd2

from ganbench.numerics import kernels as C


def test_mmd2_unbiased_matches_torch_fidelity() -> None:
    rng = np.random.default_rng(12)
    a, b = rng.standard_normal((40, 40)), rng.standard_normal((40, 40))
    k_xx, k_yy, k_xy = a @ a.T, b @ b.T, a @ b.T
    ours = C.mmd2_unbiased(torch.from_numpy(k_xx), torch.from_numpy(k_xy), torch.from_numpy(k_yy))
    assert ours == pytest.approx(tf_mmd2(k_xx, k_xy, k_yy), rel=1e-12)
