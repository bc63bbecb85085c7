"""One protocol per cell: values measured differently are never averaged, ranked or gated together.

FID moves with the feature extractor and its weights, the resize, the sample counts and the
reference set (Chong & Forsyth 2020, arXiv:1911.07023; Parmar et al. 2022, "On Aliased Resizing
and Surprising Subtleties in GAN Evaluation", arXiv:2104.11222). A cell of a table, one
(dataset, variant, metric, key), is one number; when its records come from several runs or
evaluations, they must share every field of :data:`PROTOCOL_FIELDS`, and their networks must
have been trained in one precision (:func:`training_precision`: bf16 mixed-precision runs are not
pooled with float32 ones). The summary, and with it the report, the HTML page and the gate,
refuse a cell that does not, naming the field.
"""

from __future__ import annotations

import json

import pandas as pd

#: The record fields that make two values comparable. A field a record lacks (a run written before
#: it existed) is unknown and not compared; every field present on two records must agree.
PROTOCOL_FIELDS: tuple[str, ...] = (
    "extractor",
    "extractor_hash",
    "extractor_weights_sha256",
    "extractor_input",
    "resize",
    "channels",
    "stats_dtype",
    "n_real",  # before the content hash: a different count is the likelier, and clearer, cause
    "n_fake",
    "real_sha256",
    "params",
)

#: The columns that name one cell.
CELL_COLUMNS: tuple[str, ...] = ("dataset", "variant", "metric", "key")

#: How a record's networks were trained, as far as it changes what was trained: ``--train-kernels
#: bf16`` trains in mixed precision (another model, whose effect on the measures is measured by
#: ``benchmarks/mixed_precision.py``); ``reference`` and ``fast`` are the same float32 math in
#: another rounding order, and a run before the field existed trained with ``reference``.
TRAINING_PRECISION = "training_precision"


def training_precision(train_kernels: object) -> str | None:
    """``"bfloat16 mixed"`` for bf16 kernels, ``"float32"`` for the others; None for records without
    training (an evaluation of given images)."""
    if train_kernels is None or (isinstance(train_kernels, float) and train_kernels != train_kernels):
        return None
    return "bfloat16 mixed" if train_kernels == "bf16" else "float32"


class ProtocolMismatchError(ValueError):
    """Records of one cell were measured under different protocols; the message names the field."""


def _comparable(value: object) -> str | None:
    """A value as text for comparison; None when missing (not recorded)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


def protocol_conflicts(records: pd.DataFrame, limit: int = 5) -> list[str]:
    """Every cell whose records disagree on a protocol field, one line each (at most ``limit``).

    Args:
        records: a records frame (one row per scalar), e.g. the final evaluations of several runs.
    """
    fields = [f for f in PROTOCOL_FIELDS if f in records.columns]
    if "train_kernels" in records.columns:  # seeds trained in bf16 and in float32 are not pooled
        records = records.assign(**{TRAINING_PRECISION: records["train_kernels"].map(training_precision)})
        fields.insert(0, TRAINING_PRECISION)
    if records.empty or not fields:
        return []
    lines: list[str] = []
    for cell, group in records.groupby(list(CELL_COLUMNS), sort=False, dropna=False):
        if len(group) < 2:
            continue
        for field in fields:
            seen = {v for v in map(_comparable, group[field]) if v is not None}
            if len(seen) > 1:
                runs = sorted({str(r) for r in group["run_id"].dropna()})
                shown = sorted(seen)[:3]
                lines.append(
                    f"{'/'.join(map(str, cell))}: {field} differs ({' vs '.join(shown)}"
                    f"{' ...' if len(seen) > 3 else ''}) across runs {', '.join(runs)}"
                )
                break
        if len(lines) >= limit:
            break
    return lines


def check_one_protocol(records: pd.DataFrame) -> None:
    """Raise :class:`ProtocolMismatchError` when a cell mixes protocols (see :func:`protocol_conflicts`)."""
    conflicts = protocol_conflicts(records)
    if conflicts:
        raise ProtocolMismatchError(
            "these records were measured under different protocols and cannot share a table cell:\n  "
            + "\n  ".join(conflicts)
            + "\nreport or check such runs separately, or re-evaluate them with the same extractor, weights,"
            " resize, sample counts and reference set (`ganbench evaluate`); an evaluation in several feature"
            " spaces (--extractor a,b): take one space at a time, ganbench.analysis.by_feature_space(records)"
            "; runs trained with --train-kernels bf16 and without: keep them in separate tables (or rename"
            " the variant, as benchmarks/mixed_precision.py does)"
        )
