"""The declared value range of float images (arrays, generator outputs): parsed, checked, converted to uint8.

Float images carry no range of their own, so the user declares it (``--fake-range 0,1`` or
``-1,1``); values are then checked against it, with a tolerance of 1e-3 for rounding, and
converted by :mod:`ganbench.images`, the one home of range conversions.
"""

from __future__ import annotations

import torch

from ganbench.images import signed_to_uint8, unit_to_uint8
from ganbench.sources.spec import Role, SourceError, option

#: The declarable ranges and their bounds.
RANGES: dict[str, tuple[float, float]] = {"0,1": (0.0, 1.0), "-1,1": (-1.0, 1.0)}

#: How far outside the declared range a value may lie (float rounding, resampling); below half a
#: uint8 level (0.5 / 255), so such values still round to 0 or 255.
TOLERANCE = 1e-3


def parse_value_range(value: str | None, *, text: str, role: Role) -> str | None:
    """``value`` normalised to a key of :data:`RANGES` (``"0, 1"`` -> ``"0,1"``), or None when not given."""
    if value is None:
        return None
    key = "".join(str(value).split())
    if key not in RANGES:
        raise SourceError(
            f"{text}: {option('value_range', role)} {value!r} is not a range ganbench knows; "
            f"pass {option('value_range', role)} 0,1 or {option('value_range', role)} -1,1"
        )
    return key


def check_values(values: torch.Tensor, value_range: str, *, what: str) -> None:
    """Raise :class:`SourceError` unless all of ``values`` are finite and within ``value_range`` ± 1e-3.

    Args:
        values: a float tensor of any shape (the images).
        value_range: a key of :data:`RANGES`.
        what: names the data in the message (``"mymod:make_g output"``).
    """
    low, high = RANGES[value_range]
    finite = torch.isfinite(values)
    if not bool(finite.all()):
        bad = int((~finite).sum())
        raise SourceError(f"{what}: {bad} values are NaN or infinite; images must be finite")
    if values.numel() == 0:
        return
    found_low, found_high = float(values.min()), float(values.max())
    if found_low < low - TOLERANCE or found_high > high + TOLERANCE:
        raise SourceError(
            f"{what}: values span [{found_low:.6g}, {found_high:.6g}], outside the declared range "
            f"[{low:g}, {high:g}] (tolerance {TOLERANCE:g}); declare the range the data is in "
            "(0,1 or -1,1), or rescale it"
        )


def float_to_uint8(values: torch.Tensor, value_range: str) -> torch.Tensor:
    """Checked float images in ``value_range`` -> uint8 0..255, rounded (see :data:`TOLERANCE`)."""
    values = values.float() if values.dtype == torch.float16 else values  # float16 -> float32 is exact
    if value_range == "0,1":
        return unit_to_uint8(values)
    return signed_to_uint8(values)
