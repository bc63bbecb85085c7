"""One protocol per table cell: the summary (and so the report and the gate) refuses mixed records."""

from __future__ import annotations

import pytest
from records_helpers import records_frame

from ganbench.analysis import ProtocolMismatchError, summary
from ganbench.analysis.protocol import protocol_conflicts


def _rows(**overrides: object) -> list[dict]:
    base = {
        "dataset": "mnist-5k",
        "variant": "dcgan",
        "metric": "fid",
        "key": "fid",
        "value": 1.0,
        "extractor": "inception-v3",
        "resize": "tf1 bilinear",
        "n_real": 100,
        "n_fake": 100,
    }
    return [{**base, "run_id": "a", "seed": 0}, {**base, "run_id": "b", "seed": 0, "value": 2.0, **overrides}]


def test_same_protocol_is_summarised() -> None:
    stats = summary(records_frame(_rows()))
    assert stats["n_seeds"].tolist() == [2]


@pytest.mark.parametrize(
    ("field", "other"),
    [
        ("extractor", "domain-classifier"),
        ("resize", "bilinear-antialias"),
        ("n_fake", 50),
        ("real_sha256", "ffff"),
        ("extractor_weights_sha256", "abcd"),
    ],
)
def test_a_differing_field_is_named(field: str, other: object) -> None:
    rows = _rows(**{field: other})
    if field in ("real_sha256", "extractor_weights_sha256"):
        rows[0][field] = "0000"
    with pytest.raises(ProtocolMismatchError, match=f"fid/fid: {field} differs"):
        summary(records_frame(rows))


def test_a_field_an_old_run_lacks_is_not_compared() -> None:
    rows = _rows(real_sha256="ffff")  # the first (older) record has no real_sha256
    assert protocol_conflicts(records_frame(rows)) == []


def test_seeds_trained_in_bf16_and_in_float32_are_not_pooled() -> None:
    rows = _rows(train_kernels="bf16")
    rows[0]["train_kernels"] = "reference"
    with pytest.raises(ProtocolMismatchError, match="fid/fid: training_precision differs"):
        summary(records_frame(rows))


@pytest.mark.parametrize(("first", "second"), [("reference", "fast"), (None, "reference"), ("bf16", "bf16")])
def test_the_same_training_precision_is_pooled(first: str | None, second: str) -> None:
    """reference and fast kernels are the same float32 math; a run before train_kernels was recorded
    trained with reference kernels."""
    rows = _rows(train_kernels=second)
    rows[0]["train_kernels"] = first
    assert summary(records_frame(rows))["n_seeds"].tolist() == [2]
