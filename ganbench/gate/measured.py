"""A run as the gate sees it: its records, their per-seed summary, its protocol and its units.

The statistics (mean, std and intervals over seeds) are :func:`ganbench.analysis.summary`'s;
this module only loads a run directory and looks values up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ganbench.analysis.feature_spaces import by_feature_space
from ganbench.analysis.protocol import ProtocolMismatchError
from ganbench.analysis.summary import final_evaluations, summary
from ganbench.reporting.records import RECORDS_FILE, load_records

#: The confidence level of the t interval the gate reports.
LEVEL = 0.95


class RunDataError(ValueError):
    """A run directory the gate cannot read: missing, without records, or with nothing evaluated."""


@dataclass(frozen=True)
class RunProtocol:
    """The measurement protocol of a run's final evaluations (every distinct value, sorted).

    Attributes:
        extractors: extractor names.
        extractor_hashes: first 16 hex digits of the extractor weights' SHA-256.
        n_real: held-out real samples per evaluation.
        n_fake: generated samples per evaluation.
    """

    extractors: tuple[str, ...]
    extractor_hashes: tuple[str, ...]
    n_real: tuple[int, ...]
    n_fake: tuple[int, ...]

    def describe(self) -> str:
        def values(items: tuple[object, ...]) -> str:
            return "/".join(str(v) for v in items) or "?"

        n = values(self.n_real) if self.n_real == self.n_fake else f"{values(self.n_real)} real"
        n += "" if self.n_real == self.n_fake else f", {values(self.n_fake)} generated"
        return f"extractor {values(self.extractors)} ({values(self.extractor_hashes)}), n = {n}"


@dataclass(frozen=True)
class MeasuredRun:
    """One run directory, loaded.

    Attributes:
        directory: the run directory.
        run_id: its run id (the directory name when the records lack one).
        records: every record (``ganbench.load_records``).
        stats: ``ganbench.summary(records, LEVEL)``: one row per (dataset, variant, metric, key).
    """

    directory: Path
    run_id: str
    records: pd.DataFrame
    stats: pd.DataFrame

    @property
    def datasets(self) -> list[str]:
        return list(dict.fromkeys(self.records["dataset"].dropna()))

    def variants(self, dataset: str) -> list[str]:
        """Variants with any record (diverged ones too) for ``dataset``."""
        return list(dict.fromkeys(self.records.loc[self.records["dataset"] == dataset, "variant"].dropna()))

    def protocol(self) -> RunProtocol:
        final = final_evaluations(self.records)

        def distinct(column: str) -> tuple:
            return tuple(sorted({v.item() if hasattr(v, "item") else v for v in final[column].dropna()}))

        return RunProtocol(
            distinct("extractor"), distinct("extractor_hash"), distinct("n_real"), distinct("n_fake")
        )

    def stats_row(self, dataset: str, variant: str, metric: str, key: str) -> pd.Series | None:
        """The summary row of one key, or None when the run has no value for it."""
        s = self.stats
        rows = s[
            (s["dataset"] == dataset)
            & (s["variant"] == variant)
            & (s["metric"] == metric)
            & (s["key"] == key)
        ]
        return None if rows.empty else rows.iloc[0]

    def unit_seeds(self, dataset: str, variant: str) -> dict[int | None, str]:
        """Seed -> status (ok, diverged, time-cap) of every unit of a variant (``real``: seed None)."""
        r = self.records[(self.records["dataset"] == dataset) & (self.records["variant"] == variant)]
        units: dict[int | None, str] = {}
        for seed, status in zip(r["seed"], r["status"], strict=True):
            seed = None if pd.isna(seed) else int(seed)
            if units.get(seed) != "diverged":
                units[seed] = status
        return units

    def seeds_with_value(self, dataset: str, variant: str, metric: str, key: str) -> set[int | None]:
        """Seeds whose final evaluation has a value for the key."""
        final = final_evaluations(self.records)
        rows = final[
            (final["dataset"] == dataset)
            & (final["variant"] == variant)
            & (final["metric"] == metric)
            & (final["key"] == key)
        ]
        return {None if pd.isna(seed) else int(seed) for seed in rows["seed"]}


def load_run(path: str | Path, *, extractor: str | None = None) -> MeasuredRun:
    """Load a run directory (or its records.jsonl) for the gate.

    Raises:
        RunDataError: the directory or its records are missing or unreadable, nothing was evaluated,
            or one cell mixes protocols (:mod:`ganbench.analysis.protocol`).
    """
    path = Path(path)
    if not path.exists():
        raise RunDataError(f"run directory {path} does not exist: pass a folder made by `ganbench run`")
    try:
        records = load_records(path)
    except (FileNotFoundError, ValueError) as err:
        raise RunDataError(str(err)) from None
    directory = path if path.is_dir() else path.parent
    if records.empty or final_evaluations(records).empty:
        raise RunDataError(
            f"{directory / RECORDS_FILE} holds no evaluated value: the run has nothing to check"
        )
    records = _one_feature_space(records, extractor, directory)
    run_ids = list(dict.fromkeys(records["run_id"].dropna()))
    run_id = run_ids[0] if len(run_ids) == 1 else directory.name
    try:
        stats = summary(records, LEVEL)
    except ProtocolMismatchError as err:
        raise RunDataError(f"{directory}: {err}") from None
    return MeasuredRun(directory, str(run_id), records, stats)


def _one_feature_space(records: pd.DataFrame, extractor: str | None, directory: Path) -> pd.DataFrame:
    """The records of one feature space: all of them when they hold one, else the space of
    ``extractor`` (the thresholds file's ``[protocol] extractor``), which must then be given."""
    groups = dict(by_feature_space(records))
    if len(groups) == 1:
        return records
    names = ", ".join(str(name) for name in groups)
    if extractor is None:
        raise RunDataError(
            f"{directory} holds values in several feature spaces ({names}) and a gate checks one: set "
            "[protocol] extractor = 'NAME' in the thresholds file"
        )
    if extractor not in groups:
        raise RunDataError(
            f"{directory} has no values in the feature space {extractor!r} (its spaces: {names})"
        )
    return groups[extractor]
