"""Loading a dataset by name, with the one offline fallback ganbench allows (``mnist`` -> ``mnist-5k``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ganbench.datasets.spec import Dataset, DatasetUnavailableError
from ganbench.registry import DATASETS

#: Dataset used when ``mnist`` can be neither found nor downloaded (said on stderr and in the report).
OFFLINE_FALLBACK = {"mnist": "mnist-5k"}


def load_dataset(
    name: str,
    data_root: str | Path | None,
    *,
    allow_fallback: bool,
    log: Callable[[str], None],
) -> tuple[Dataset, str | None]:
    """Load dataset ``name``; if it is unavailable and may fall back, load the fallback and say so.

    Args:
        allow_fallback: False for a preset that names a protocol on this dataset (``paper``):
            the run then refuses, with the dataset's message on how to get the files, rather than
            measure something else under the protocol's name.

    Returns:
        The dataset and the fallback note (None when no fallback happened).

    Raises:
        DatasetUnavailableError: the files are missing and no fallback is allowed.
        CorruptDatasetError: a file is damaged.
    """
    try:
        return DATASETS[name](data_root), None
    except DatasetUnavailableError as err:
        if name not in OFFLINE_FALLBACK or not allow_fallback:
            raise
        fallback = OFFLINE_FALLBACK[name]
        reason = str(err).splitlines()[0]
        note = f"{reason} FELL BACK to {fallback!r}; the records say dataset={fallback}"
        log(f"warning: {err}\nwarning: FELL BACK to {fallback!r}; the records say dataset={fallback}")
        return DATASETS[fallback](data_root), note
