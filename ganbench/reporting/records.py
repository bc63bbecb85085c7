"""The record schema: one JSON line per scalar, in long ("tidy") form, appended atomically.

``pd.read_json(path, lines=True)`` needs no reshaping; :func:`load_records` adds tolerance for
a run that was killed mid-write and accepts a run directory.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import math
import os
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pandas as pd

RECORDS_FILE = "records.jsonl"

#: Every record has exactly these fields (``None`` where one does not apply).
FIELDS: tuple[str, ...] = (
    "run_id",  # the run directory's name
    "dataset",  # dataset actually used (mnist-5k when mnist fell back)
    "split",  # real split the samples were compared with
    "variant",  # GAN variant, or "real" for the held-out vs training reference row
    "seed",  # training and sampling seed
    "status",  # ok | diverged | time-cap | failed (0.7: the job raised; see failure)
    "stage",  # final (end of training) | checkpoint (during training, --eval-every); None before 0.3: final
    # | sample-size (validate: the same sets cut to fewer rows, for sample efficiency)
    "kimg",  # budget achieved: thousands of real images shown to D
    "g_steps",
    "d_steps",
    "train_seconds",
    "budget_kimg",  # budget requested: kimg (runs before 0.2 lack this and the next field)
    "budget_seconds",  # budget requested: wall-clock cap per run, None when uncapped
    "train_kernels",  # (0.6) reference | fast (channels-last convs, fused Adam) | bf16 (fast + bf16 autocast,
    # opt-in mixed precision); None before 0.6: reference
    "train_threads",  # (0.7) torch CPU threads of the training job: CPU convolutions round differently
    # with another count, so runs agree bit for bit only at equal counts (--jobs N, Ray: cores / N, 1)
    "extractor",  # extractor name
    "extractor_hash",  # first 16 hex digits of its weights' SHA-256
    "extractor_protocol",  # how images were fed to it, in words
    # -- the protocol stamp (0.4): what a value depends on besides the images, field by field --
    "extractor_weights_sha256",  # full SHA-256 of the weights FILE a pretrained extractor was loaded from
    "extractor_input",  # what the extractor's network sees: "native" or e.g. "299x299"
    "resize",  # how images were resized on the way: the extractor's resize and any conform step
    "channels",  # channel handling: "native", "grayscale tiled to 3", ...
    "stats_dtype",  # dtype the measures' statistics are accumulated in (float64)
    "real_source",  # the real set: "dataset mnist-5k split test ...", "folder /abs/path (1000 PNG)", ...
    "real_sha256",  # content hash of the real images (shape and bytes)
    "fake_source",  # the fake set: "generator dcgan seed 0", "array /abs/f.npz ...", ...
    "fake_sha256",  # content hash of the fake images
    "real_size",  # native size of the real images, "CxHxW"
    "fake_size",  # native size of the fake images, "CxHxW", before any conform step
    "space",  # pixels | features | logits
    "n_real",
    "n_fake",
    "defect",  # validate (0.5): the defect series of the set ("gaussian-noise", "control"...); None elsewhere
    "severity",  # validate (0.5): the series' parameter value (noise std, classes kept...); None elsewhere
    "trial",  # sweep (0.7): the search trial the configuration came from; None outside sweeps
    "sweep_phase",  # sweep (0.7): search (one seed per trial) | final (the best trial, every seed)
    "hyperparameters",  # sweep (0.7): the settings the trial changed (dict); None outside sweeps
    "failure",  # (0.7) status failed: why the job failed (exception and message); None otherwise
    "metric",  # registry name
    "key",  # output key
    "value",
    "std",  # sampling spread reported by the metric (splits/subsets), else None
    "ci_low",  # bootstrap 2.5 percentile (with --bootstrap), else None; where ci_method is set, shifted
    "ci_high",  # bootstrap 97.5 percentile         by the bootstrap bias estimate (evaluation/bootstrap.py)
    "ci_method",  # how ci_low/ci_high were made: bootstrap-recompute | bootstrap-per-sample | none (no
    # interval for this key); None without --bootstrap and in runs written before this field existed
    "direction",  # lower | higher | target
    "target",  # ideal value when direction is target, else None
    "params",  # the metric's parameters (dict)
    "ganbench_version",
    "torch_version",
    "torch_fidelity_version",
    "numpy_version",  # (0.4)
    "scipy_version",  # (0.4)
    "python_version",  # (0.4)
    "device",  # where this value was computed (the evaluation device, or cpu for numpy-only measures)
    "git_commit",
    "time",  # ISO 8601 UTC when the value was computed
)


INTEGER_FIELDS = ("seed", "g_steps", "d_steps", "n_real", "n_fake")


def _clean(value: Any) -> Any:
    """NaN/inf are not JSON: store them as None so every line stays parseable."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def make_record(**fields: Any) -> dict[str, Any]:
    """A record with every field of :data:`FIELDS`; unknown fields are an error."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise KeyError(f"unknown record fields {sorted(unknown)}")
    return {name: _clean(fields.get(name)) for name in FIELDS}


class RecordWriter:
    """Appends the records of one run: provenance shared by every record, plus each value's own fields.

    Attributes:
        path: the run's ``records.jsonl``.
        common: fields every record of the run carries (run id, dataset, extractor, versions...).
        unique: leave out records the file already holds (:func:`record_identity`), for runs
            whose jobs may be resumed and recompute a value.
    """

    def __init__(self, path: Path, common: Mapping[str, Any], *, unique: bool = False) -> None:
        self.path = path
        self.common = dict(common)
        self.unique = unique

    def write(self, scores: Iterable[Any], *, n_real: int, n_fake: int, **unit: Any) -> None:
        """Append one record per :class:`~ganbench.evaluation.scoring.Score`, flushed at once.

        ``unit`` holds the fields of the (variant, seed) unit: variant, seed, status, budget; a
        field given in both ``unit`` and the common fields takes ``unit``'s value.
        """
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        append_records(
            self.path,
            [
                make_record(
                    **{**self.common, **unit},  # a unit's own fields win (validate's synthetic sets)
                    n_real=n_real,
                    n_fake=n_fake,
                    metric=s.metric,
                    key=s.key,
                    value=s.value,
                    std=s.std,
                    direction=s.direction,
                    target=s.target,
                    space=s.space,
                    params=s.params,
                    device=s.device,
                    ci_low=s.ci_low,
                    ci_high=s.ci_high,
                    ci_method=s.ci_method,
                    time=now,
                )
                for s in scores
            ],
            unique=self.unique,
        )


#: The fields that say which value a record is: two records that agree on all of them are the
#: same measurement (a resumed job recomputing it), so :func:`append_records` writes it once.
IDENTITY_FIELDS: tuple[str, ...] = (
    "run_id",
    "variant",
    "seed",
    "trial",
    "sweep_phase",
    "stage",
    "kimg",
    "defect",
    "severity",
    "n_real",
    "n_fake",
    "metric",
    "key",
    "extractor",  # one evaluation may measure the same sets in several feature spaces
)


def record_identity(record: Mapping[str, Any]) -> str:
    """The identity of a record (:data:`IDENTITY_FIELDS`) as one comparable string."""
    return json.dumps([record.get(name) for name in IDENTITY_FIELDS], sort_keys=True, default=str)


def append_records(path: str | Path, records: Iterable[Mapping[str, Any]], *, unique: bool = False) -> int:
    """Append records as whole lines in one write, flushed and fsynced; returns how many were written.

    One ``write`` of complete lines on a file opened for appending means a crash leaves at
    most a partial final line, which :func:`load_records` skips with a warning and the next
    append cuts off (it is unreadable; the complete lines before it are kept). Writers in
    several processes (the jobs of one run) take an exclusive lock on the file for the
    append, so their lines never interleave. With ``unique``, records whose
    :func:`record_identity` the file already holds are left out: a resumed job that recomputes
    a value never duplicates it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as f, _locked(f):
        _cut_partial_last_line(f, path)
        wanted = [dict(r) for r in records]
        if unique and wanted:
            f.seek(0)
            seen = set()
            for line in f.read().decode("utf-8").splitlines():
                if line.strip():
                    seen.add(record_identity(json.loads(line)))
            wanted = [r for r in wanted if record_identity(r) not in seen]
        lines = "".join(json.dumps(r, sort_keys=False, allow_nan=False) + "\n" for r in wanted)
        if lines:
            f.seek(0, os.SEEK_END)
            f.write(lines.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        return len(wanted)


@contextmanager
def _locked(f: IO[bytes]) -> Iterator[None]:
    """An exclusive advisory lock on the open file ``f`` for the block (POSIX ``flock``; none elsewhere)."""
    try:
        import fcntl
    except ImportError:  # Windows: one writer per run is the user's to keep
        yield
        return
    fcntl.flock(f.fileno(), fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def _cut_partial_last_line(f: IO[bytes], path: Path) -> None:
    """Truncate a last line without its newline (a write cut short by a kill), saying so."""
    size = f.seek(0, os.SEEK_END)
    if size == 0:
        return
    f.seek(size - 1)
    if f.read(1) == b"\n":
        return
    f.seek(0)
    data = f.read()
    keep = data.rfind(b"\n") + 1
    warnings.warn(
        f"{path}: cutting off a partial last line of {size - keep} bytes left by an interrupted write",
        stacklevel=4,
    )
    f.truncate(keep)
    f.flush()


#: Characters that make a path argument a glob pattern.
GLOB_CHARACTERS = frozenset("*?[")


def load_records(paths_or_globs: str | Path | Sequence[str | Path]) -> pd.DataFrame:
    """Records of one or several runs as one tidy DataFrame, one row per scalar, columns :data:`FIELDS`.

    Args:
        paths_or_globs: a run directory or a ``records.jsonl`` file, a glob pattern matching some
            (``"reports/*-smoke"``, ``"reports/**/records.jsonl"``: ``**`` spans directories), or a
            list of them. Runs are concatenated in the order given (a glob's matches sorted by name);
            each record keeps its ``run_id``; a run named twice is loaded once.

    Raises:
        FileNotFoundError: a path that does not exist, or a glob that matches no run (its matches
            that are neither a run directory nor a ``.jsonl`` file are left out).
        ValueError: a malformed line other than a truncated last one (which is skipped with a warning).
    """
    items = [paths_or_globs] if isinstance(paths_or_globs, str | Path) else list(paths_or_globs)
    if not items:
        raise FileNotFoundError("no runs given: pass a run directory, a records.jsonl file or a glob of them")
    files = list(dict.fromkeys(file for item in items for file in _records_files(item)))
    frames = [_load_records_file(file) for file in files]
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    for column in INTEGER_FIELDS:  # nullable integers: the `real` row has no seed or steps
        frame[column] = frame[column].astype("Int64")
    return frame


def _records_files(item: str | Path) -> list[Path]:
    """The records files one argument names: itself, its directory's records file, or a glob's runs."""
    path = Path(item)
    if path.exists() or not GLOB_CHARACTERS & set(str(item)):
        file = path / RECORDS_FILE if path.is_dir() else path
        if not file.exists():
            raise FileNotFoundError(
                f"no records at {file}: pass a run directory made by `ganbench run` or its {RECORDS_FILE}"
            )
        return [file.resolve()]
    matches = sorted(Path(match) for match in glob.glob(str(item), recursive=True))
    runs = [m / RECORDS_FILE if m.is_dir() else m for m in matches]
    runs = [m.resolve() for m in runs if m.is_file() and m.suffix == ".jsonl"]
    if not runs:
        found = f"{len(matches)} path(s), none a run directory or records file" if matches else "nothing"
        raise FileNotFoundError(
            f"the pattern {str(item)!r} matched {found}: give a glob of run directories made by"
            f" `ganbench run` (e.g. 'reports/*') or of their {RECORDS_FILE} files"
        )
    return runs


def _load_records_file(path: Path) -> pd.DataFrame:
    """One records file; a truncated last line is skipped with a warning."""
    rows = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as err:
            if number == len(lines):
                warnings.warn(f"{path}:{number}: skipping a truncated last line ({err})", stacklevel=3)
                continue
            raise ValueError(f"{path}:{number} is not a JSON record: {err}") from None
    return pd.DataFrame(rows, columns=list(FIELDS))
