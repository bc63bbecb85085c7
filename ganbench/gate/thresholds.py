"""The thresholds file: its TOML format, parsing and validation (everything checkable without a run).

Format (TOML; a dotted key ``fid.max = 40`` is the table ``fid = {max = 40}``)::

    [protocol]                    # optional: the protocol the bounds were calibrated for
    extractor = "domain-classifier"
    extractor_hash = "8a1c9394c0f16fda"   # optional: first 16 hex digits of the weights' SHA-256
    n = 500                       # n_real = n_fake per evaluation

    [defaults]
    tier = "required"             # tier of every bound in the file unless a key sets its own

    [mnist-5k.dcgan]              # [<dataset>.<variant>]; "real" (the reference row) is allowed too
    fid.max = 40                  # upper bound on the mean over seeds
    recall.min = 0.5              # lower bound on the mean over seeds
    coverage.no_worse_than = 0.6  # 'higher' key: >= 0.6; 'lower' key: <=; target t: |v-t| <= |0.6-t|
    fid.baseline_sigma = 3        # no worse than the baseline's mean by more than 3 x its seed std
    kid.baseline_percent = 25     # no worse than the baseline's mean by more than 25 % of |its mean|
    birthday_support.tier = "warn"   # tier of every bound on this key: "required" or "warn"

Keys are record keys (``ganbench list metrics``), or ``"<metric>:<key>"`` where a key is
declared by several measures (:mod:`ganbench.gate.keys`). Checks that need the run (its
datasets, variants and protocol, the baseline) are in :mod:`ganbench.gate.applicability`.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ganbench.gate.keys import MeasureKey, UnknownKeyError, resolve_key
from ganbench.gate.locations import key_lines
from ganbench.gate.spelling import did_you_mean

#: Bound kinds: absolute (max, min, no_worse_than) and relative to a baseline run (baseline_*).
ABSOLUTE_KINDS: tuple[str, ...] = ("max", "min", "no_worse_than")
BASELINE_KINDS: tuple[str, ...] = ("baseline_sigma", "baseline_percent")
KINDS: tuple[str, ...] = ABSOLUTE_KINDS + BASELINE_KINDS

#: ``required``: a crossed bound, or a missing record for it, fails the gate (exit 1);
#: ``warn``: reported, exit 0.
TIERS: tuple[str, ...] = ("required", "warn")
DEFAULT_TIER = "required"

PROTOCOL_TABLE = "protocol"
DEFAULTS_TABLE = "defaults"
PROTOCOL_FIELDS: tuple[str, ...] = ("extractor", "extractor_hash", "n")


class ThresholdsError(ValueError):
    """A thresholds file that is malformed, or inapplicable to the run checked: the gate cannot judge.

    The message names the file (and line or table.key where there is one) and how to fix it.
    """


@dataclass(frozen=True)
class Source:
    """Where a bound was written.

    Attributes:
        file: the thresholds file as given.
        line: 1-based line of the entry, None where it could not be located.
        table: ``<dataset>.<variant>``.
        entry: ``<key>.<kind>`` as written (``fid.max``).
    """

    file: str
    line: int | None
    table: str
    entry: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where} [{self.table}] {self.entry}"


@dataclass(frozen=True)
class Bound:
    """One bound on the mean over seeds of one key of one dataset and variant.

    Attributes:
        dataset: dataset name as recorded (``mnist-5k``).
        variant: variant name, or ``real``.
        measure: the key and its measure and direction.
        kind: one of :data:`KINDS`.
        value: the bound (max, min, no_worse_than), or k (baseline_sigma), or x (baseline_percent).
        tier: one of :data:`TIERS`.
        source: where it was written.
    """

    dataset: str
    variant: str
    measure: MeasureKey
    kind: str
    value: float
    tier: str
    source: Source

    @property
    def key(self) -> str:
        return self.measure.key

    @property
    def needs_baseline(self) -> bool:
        return self.kind in BASELINE_KINDS

    @property
    def name(self) -> str:
        """``<key>.<kind>`` (the JUnit test name)."""
        return f"{self.measure.key}.{self.kind}"


@dataclass(frozen=True)
class Protocol:
    """The measurement protocol bounds were calibrated for; None fields are not checked.

    Attributes:
        extractor: feature extractor name.
        extractor_hash: first 16 hex digits of its weights' SHA-256.
        n: samples per set per evaluation (n_real = n_fake).
    """

    extractor: str | None = None
    extractor_hash: str | None = None
    n: int | None = None


@dataclass(frozen=True)
class Thresholds:
    """A parsed, validated thresholds file.

    Attributes:
        path: the file as given.
        protocol: the ``[protocol]`` table, None when the file has none.
        bounds: every bound, in file order.
        tables: every ``(dataset, variant)`` table named, bounds or not, in file order.
        notes: remarks that do not stop the gate (a tier set on a key without bounds).
    """

    path: str
    protocol: Protocol | None
    bounds: tuple[Bound, ...]
    tables: tuple[tuple[str, str], ...]
    notes: tuple[str, ...] = ()

    @property
    def needs_baseline(self) -> bool:
        return any(b.needs_baseline for b in self.bounds)


def load_thresholds(path: str | Path) -> Thresholds:
    """Read and validate a thresholds file.

    Raises:
        ThresholdsError: unreadable file, TOML syntax error (with its line), unknown table, key
            or kind (with close names), a value of the wrong type, a file without bounds.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ThresholdsError(f"thresholds file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ThresholdsError(f"cannot read thresholds file {path}: {err}") from None
    return parse_thresholds(text, str(path))


def parse_thresholds(text: str, file: str = "<thresholds>") -> Thresholds:
    """Parse and validate the text of a thresholds file named ``file`` (see the module docstring)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ThresholdsError(f"{file} is not valid TOML: {err}") from None
    return _Parser(file, key_lines(text)).parse(document)


def _describe(value: Any) -> str:
    """A value and its TOML type, for error messages: ``'forty' (a string)``."""
    kinds = {bool: "a boolean", str: "a string", int: "an integer", float: "a float", dict: "a table"}
    kind = kinds.get(type(value), "an array" if isinstance(value, list) else type(value).__name__)
    return f"{value!r} ({kind})"


def _finite_number(value: Any) -> float | None:
    """``value`` as a float when it is a finite TOML integer or float (not a boolean), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


class _Parser:
    """Validates the parsed TOML document of one file; every error names ``file:line`` and the entry."""

    def __init__(self, file: str, lines: dict[tuple[str, ...], int]) -> None:
        self.file = file
        self.lines = lines

    def line(self, *path: str) -> int | None:
        """The line of ``path``, or of its longest located prefix (a key inside an inline table)."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None

    def where(self, *path: str) -> str:
        line = self.line(*path)
        return f"{self.file}:{line}" if line is not None else self.file

    def error(self, path: tuple[str, ...], message: str) -> ThresholdsError:
        return ThresholdsError(f"{self.where(*path)}: {message}")

    def parse(self, document: dict[str, Any]) -> Thresholds:
        protocol = self.protocol(document.get(PROTOCOL_TABLE))
        default_tier = self.default_tier(document.get(DEFAULTS_TABLE))
        bounds: list[Bound] = []
        tables: list[tuple[str, str]] = []
        notes: list[str] = []
        for dataset, variants in document.items():
            if dataset in (PROTOCOL_TABLE, DEFAULTS_TABLE):
                continue
            if not isinstance(variants, dict):
                raise self.error(
                    (dataset,),
                    f"{dataset} = {_describe(variants)} at the top level: bounds go in a"
                    f" [<dataset>.<variant>] table, e.g. [mnist-5k.dcgan] then fid.max = 40",
                )
            for variant, entries in variants.items():
                table = f"{dataset}.{variant}"
                if not isinstance(entries, dict):
                    raise self.error(
                        (dataset, variant),
                        f"[{dataset}] {variant} = {_describe(variants[variant])}: a dataset table holds"
                        f" variant tables; write [{dataset}.<variant>] then e.g. fid.max = 40",
                    )
                tables.append((dataset, variant))
                for name, spec in entries.items():
                    found, note = self.key_bounds(dataset, variant, name, spec, default_tier)
                    bounds += found
                    notes += [note] if note else []
                if not entries:
                    notes.append(f"{self.where(dataset, variant)}: [{table}] has no bounds")
        if not bounds:
            raise ThresholdsError(
                f"{self.file} has no bounds: add a [<dataset>.<variant>] table with e.g. fid.max = 40"
                " (or make one with `ganbench thresholds suggest RUN_DIR`)"
            )
        # in the order they are written (dotted keys of one key are grouped by TOML, not by the file)
        bounds.sort(key=lambda b: math.inf if b.source.line is None else b.source.line)
        return Thresholds(self.file, protocol, tuple(bounds), tuple(tables), tuple(notes))

    def key_bounds(
        self, dataset: str, variant: str, name: str, spec: Any, default_tier: str
    ) -> tuple[list[Bound], str | None]:
        """The bounds of one key's table (``fid = {max = 40, tier = "warn"}``), and a note if it has none."""
        table = f"{dataset}.{variant}"
        path = (dataset, variant, name)
        if name == "tier":
            raise self.error(
                path,
                f'[{table}] tier: a tier is set per key (fid.tier = "warn") or for the whole file'
                f' ([defaults] tier = "warn"), not per variant',
            )
        try:
            measure = resolve_key(name)
        except UnknownKeyError as err:
            raise self.error(path, f"[{table}] {name}: {err}") from None
        if not isinstance(spec, dict):
            raise self.error(
                path,
                f"[{table}] {name} = {_describe(spec)}: a key takes bounds, e.g. {name}.max = ... "
                f"(kinds: {', '.join(KINDS)}; and {name}.tier)",
            )
        tier = default_tier
        if "tier" in spec:
            tier = self.tier(spec["tier"], (*path, "tier"), f"[{table}] {name}.tier")
        bounds = []
        for kind, raw in spec.items():
            if kind == "tier":
                continue
            entry = f"{name}.{kind}"
            if kind not in KINDS:
                raise self.error(
                    (*path, kind),
                    f"[{table}] {entry}: unknown bound kind {kind!r}{did_you_mean(kind, [*KINDS, 'tier'])}"
                    f" (kinds: {', '.join(KINDS)}; and tier)",
                )
            value = _finite_number(raw)
            if value is None:
                raise self.error(
                    (*path, kind),
                    f"[{table}] {entry} = {_describe(raw)}: expected a finite number, e.g. {entry} = 40",
                )
            if kind in BASELINE_KINDS and value < 0:
                raise self.error(
                    (*path, kind),
                    f"[{table}] {entry} = {raw}: the allowed worsening must be >= 0"
                    + (
                        " (a multiple of the baseline's seed std)"
                        if kind == "baseline_sigma"
                        else " (percent)"
                    ),
                )
            source = Source(self.file, self.line(*path, kind), table, entry)
            bounds.append(Bound(dataset, variant, measure, kind, value, tier, source))
        note = None
        if not bounds:
            note = f"{self.where(*path)}: [{table}] {name} sets a tier but no bound; it checks nothing"
        return bounds, note

    def tier(self, value: Any, path: tuple[str, ...], entry: str) -> str:
        if value not in TIERS:
            raise self.error(
                path,
                f'{entry} = {_describe(value)}: a tier is "required" (fails the gate) or "warn" (reported)',
            )
        return str(value)

    def default_tier(self, table: Any) -> str:
        if table is None:
            return DEFAULT_TIER
        if not isinstance(table, dict):
            raise self.error((DEFAULTS_TABLE,), f"defaults = {_describe(table)}: write a [defaults] table")
        for name in table:
            if name != "tier":
                raise self.error(
                    (DEFAULTS_TABLE, name),
                    f"[defaults] {name}: unknown setting{did_you_mean(name, ['tier'])}"
                    " ([defaults] sets only tier)",
                )
        return self.tier(table.get("tier", DEFAULT_TIER), (DEFAULTS_TABLE, "tier"), "[defaults] tier")

    def protocol(self, table: Any) -> Protocol | None:
        if table is None:
            return None
        if not isinstance(table, dict):
            raise self.error((PROTOCOL_TABLE,), f"protocol = {_describe(table)}: write a [protocol] table")
        for name in table:
            if name not in PROTOCOL_FIELDS:
                raise self.error(
                    (PROTOCOL_TABLE, name),
                    f"[protocol] {name}: unknown setting{did_you_mean(name, PROTOCOL_FIELDS)}"
                    f" (settings: {', '.join(PROTOCOL_FIELDS)})",
                )
        for name in ("extractor", "extractor_hash"):
            if name in table and (not isinstance(table[name], str) or not table[name]):
                raise self.error(
                    (PROTOCOL_TABLE, name),
                    f"[protocol] {name} = {_describe(table[name])}: expected a non-empty string"
                    + (', e.g. extractor = "domain-classifier"' if name == "extractor" else ""),
                )
        n = table.get("n")
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
            raise self.error(
                (PROTOCOL_TABLE, "n"),
                f"[protocol] n = {_describe(n)}: expected a whole number of samples >= 1, e.g. n = 500",
            )
        return Protocol(table.get("extractor"), table.get("extractor_hash"), n)
