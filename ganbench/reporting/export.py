"""Write a records (or summary, comparison) frame to CSV or Parquet, chosen by the file's suffix."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

#: File suffixes :func:`export` writes.
EXPORT_FORMATS: tuple[str, ...] = (".csv", ".parquet")


def export(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` to ``path`` as CSV or Parquet (by its suffix), without the index; return the path.

    Columns that hold dicts or lists (a record's ``params``) are written as JSON text, so every
    cell reads back in any tool (``json.loads`` restores them). Parquet keeps the column types
    (nullable integers, booleans, floats); it is written with pyarrow.

    Raises:
        ValueError: a suffix other than ``.csv`` or ``.parquet``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ValueError(f"cannot export to {path.name!r}: the file name must end in .csv or .parquet")
    flat = frame.copy()
    for column in flat.columns:
        if flat[column].map(lambda cell: isinstance(cell, dict | list)).any():
            flat[column] = flat[column].map(
                lambda cell: json.dumps(cell, sort_keys=True) if isinstance(cell, dict | list) else cell
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        flat.to_csv(path, index=False)
    else:
        flat.to_parquet(path, index=False, engine="pyarrow")
    return path
