"""From a dataset spelling to its loader, and loading it with the one offline fallback ganbench allows.

The one home of "which dataset does this string name": a registered name (``mnist-5k``, ``cifar10``,
...: `ganbench.registry.DATASETS`) or ``folder:PATH[,size=N][,channels=C]`` (`ganbench.datasets.folder`).
Every place that takes a dataset (the run config, ``evaluate --dataset`` and ``--real NAME[:SPLIT]``,
``validate --dataset`` and ``--ood``, a run folder's recorded dataset) goes through `dataset_loader`, so
they accept the same spellings and refuse a wrong one with the same message, before any work.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeGuard

from ganbench.datasets.spec import Dataset, DatasetNameError, DatasetUnavailableError
from ganbench.registry import DATASETS
from ganbench.spelling import did_you_mean

#: Dataset used when ``mnist`` can be neither found nor downloaded (said on stderr and in the report).
OFFLINE_FALLBACK = {"mnist": "mnist-5k"}

#: ``(root=None, *, download=True) -> Dataset``: a registered factory, or a parsed ``folder:`` spelling.
DatasetLoader = Callable[..., Dataset]

FOLDER_PREFIX = "folder:"
FOLDER_HINT = (
    "folder:PATH for a folder of PNG/JPEG images (e.g. folder:~/data/faces; options ,size=28|32|64 and "
    ",channels=rgb|grayscale)"
)


def is_folder_spelling(text: object) -> TypeGuard[str]:
    """Whether ``text`` is meant as a ``folder:PATH`` dataset (checked by `dataset_loader`)."""
    return isinstance(text, str) and text.startswith(FOLDER_PREFIX)


def valid_datasets() -> str:
    """The accepted spellings, for messages: the registered names, then ``folder:PATH``."""
    return f"{', '.join(DATASETS.names())}, or {FOLDER_HINT}"


def dataset_loader(spelling: object) -> DatasetLoader:
    """The loader ``spelling`` names, after every check that needs no full read.

    Args:
        spelling: a registered name, or ``folder:PATH[,size=N][,channels=C]``.

    Returns:
        a callable ``(root=None, *, download=True) -> Dataset``: the registered factory, or a
        `ganbench.datasets.folder.FolderDataset` whose folder exists and whose first images were read.

    Raises:
        DatasetNameError: an unknown name (the message lists the valid ones, a close match and
            ``folder:PATH``), or a ``folder:`` spelling that cannot be used (what is wrong, how to fix it).
    """
    if isinstance(spelling, str) and spelling in DATASETS:
        return DATASETS[spelling]
    # Imported here: datasets.folder reads files with ganbench.sources.folder, whose package imports
    # this module (sources.dataset loads datasets by name).
    from ganbench.datasets.folder import parse_folder_spelling

    if is_folder_spelling(spelling):
        return parse_folder_spelling(spelling)
    hint = did_you_mean(spelling, DATASETS.names()) if isinstance(spelling, str) else ""
    raise DatasetNameError(f"unknown dataset {spelling!r}{hint}; valid datasets: {valid_datasets()}")


def load_dataset(
    name: str,
    data_root: str | Path | None,
    *,
    allow_fallback: bool,
    log: Callable[[str], None],
) -> tuple[Dataset, str | None]:
    """Load dataset ``name`` (any spelling `dataset_loader` takes); if it is unavailable and may fall
    back, load the fallback and say so.

    Args:
        allow_fallback: False for a preset that names a protocol on this dataset (``paper``):
            the run then refuses, with the dataset's message on how to get the files, rather than
            measure something else under the protocol's name.

    Returns:
        The dataset and the fallback note (None when no fallback happened).

    Raises:
        DatasetNameError: ``name`` names no dataset.
        DatasetUnavailableError: the files are missing and no fallback is allowed.
        CorruptDatasetError: a file is damaged.
    """
    loader = dataset_loader(name)
    try:
        return loader(data_root), None
    except DatasetUnavailableError as err:
        if name not in OFFLINE_FALLBACK or not allow_fallback:
            raise
        fallback = OFFLINE_FALLBACK[name]
        reason = str(err).splitlines()[0]
        note = f"{reason} FELL BACK to {fallback!r}; the records say dataset={fallback}"
        log(f"warning: {err}\nwarning: FELL BACK to {fallback!r}; the records say dataset={fallback}")
        return DATASETS[fallback](data_root), note
