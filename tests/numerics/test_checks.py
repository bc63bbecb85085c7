"""Tests for the input checks shared by the measures."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganbench.numerics import checks as C


def test_as_matrix_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="2-D"):
        C.as_matrix("real", np.zeros(5))
    with pytest.raises(ValueError, match="NaN"):
        C.as_matrix("real", np.array([[0.0, np.nan]]))
    with pytest.raises(ValueError, match="at least 3 rows"):
        C.as_matrix("real", np.zeros((2, 4)), min_rows=3)
    with pytest.raises(ValueError, match="same number of columns"):
        C.as_pair(np.zeros((3, 4)), np.zeros((3, 5)))
    out = C.as_matrix("fake", torch.ones(3, 2, dtype=torch.float32))
    assert out.dtype == np.float64 and out.shape == (3, 2)
