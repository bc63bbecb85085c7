"""Helpers the tests share that are not fixtures: records frames built from a few fields per row."""

from __future__ import annotations

import pandas as pd

from ganbench.reporting.records import FIELDS, INTEGER_FIELDS, make_record

#: Fields every built record carries unless a row overrides them.
DEFAULTS = {"run_id": "r", "dataset": "mnist-5k", "status": "ok", "space": "features"}


def records_frame(rows: list[dict]) -> pd.DataFrame:
    """A records frame as ``load_records`` returns it, from partial records (``DEFAULTS`` filled in)."""
    frame = pd.DataFrame([make_record(**{**DEFAULTS, **row}) for row in rows], columns=list(FIELDS))
    for column in INTEGER_FIELDS:
        frame[column] = frame[column].astype("Int64")
    return frame


def key_rows(variant: str, values: list[float], key: str = "fid", direction: str = "lower", **extra: object):
    """One record per seed 0, 1, ... of ``variant`` for ``key`` (metric named like the key)."""
    return [
        {
            "variant": variant,
            "seed": seed,
            "metric": key,
            "key": key,
            "value": v,
            "direction": direction,
            **extra,
        }
        for seed, v in enumerate(values)
    ]


def append_many(path: str, writer: int, count: int) -> None:
    """Append ``count`` batches of 3 long records as writer ``writer`` (a child process of a test)."""
    from ganbench.reporting.records import append_records, make_record

    padding = "x" * 5000  # lines longer than a pipe buffer: only the lock keeps them whole
    for i in range(count):
        record = make_record(
            run_id="r", variant=f"w{writer}", seed=i, metric="fid", key="fid", value=float(i)
        )
        append_records(path, [record | {"params": {"pad": padding}}] * 3)
