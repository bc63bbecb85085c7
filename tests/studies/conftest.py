"""Fixtures of the run-folder tests (resume, executors): the ``ganbench`` command in a child process,
and the values a run folder's records hold, keyed by what each value is."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd
import pytest

from ganbench.reporting.records import RECORDS_FILE, load_records, record_identity

REPO = Path(__file__).resolve().parents[2]

#: What identifies one value of a run apart from its run id: (variant, seed, stage, kimg, metric, key).
ValueKey = tuple[str, int | None, str, float | None, str, str]


def _default_sigint() -> None:
    """In the child, before exec: SIGINT back to its default, so Python turns it into
    KeyboardInterrupt (Ctrl-C). A test session started in the background of a non-interactive
    shell inherits SIGINT ignored, and a child would inherit that too."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass(frozen=True)
class GanbenchCli:
    """The ``ganbench`` command run as a child process with its own cache folder.

    ``python -m ganbench`` does not work (the package has no ``__main__``); the child runs the
    function behind the ``ganbench`` entry point, ``ganbench.cli:main``, which needs no script on
    the PATH. Children inherit this process's niceness.
    """

    cache: Path

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-c", "from ganbench.cli import main; main()", *args]

    def env(self) -> dict[str, str]:
        return {**os.environ, "GANBENCH_CACHE": str(self.cache)}

    def with_cache(self, cache: Path) -> GanbenchCli:
        return replace(self, cache=cache)

    def start(self, *args: str, log: BinaryIO) -> subprocess.Popen[bytes]:
        """Start ``ganbench ARGS``, its stdout and stderr into ``log`` (a file, so no pipe fills up)."""
        return subprocess.Popen(
            self.command(*args),
            cwd=REPO,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_default_sigint,
        )

    def run(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """Run ``ganbench ARGS`` to its end; a run that outlives ``timeout`` seconds fails the test."""
        try:
            return subprocess.run(
                self.command(*args),
                cwd=REPO,
                env=self.env(),
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as err:
            pytest.fail(f"`ganbench {' '.join(args)}` did not end within {timeout} s:\n{err.stderr!r}")


@pytest.fixture(scope="session")
def ganbench_cli(tmp_path_factory: pytest.TempPathFactory) -> GanbenchCli:
    """The command line, with the cache folder every test of the session shares (the one the autouse
    ``isolated_cache`` fixture of tests/conftest.py sets; a session-scoped fixture cannot use it)."""
    return GanbenchCli(tmp_path_factory.getbasetemp() / "ganbench-cache")


def _none_if_missing(value: Any) -> Any:
    """None for a missing seed or kimg (the reference row's), which pandas reads as NA or NaN."""
    missing = value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
    return None if missing else value


def run_values(run_dir: Path, column: str = "value") -> dict[ValueKey, Any]:
    """``column`` of every record of ``run_dir`` (from :func:`load_records`), by :data:`ValueKey`;
    fails the test when two records share a key."""
    records = load_records(run_dir)
    values: dict[ValueKey, Any] = {}
    for row in records.itertuples(index=False):
        key = (
            row.variant,
            _none_if_missing(row.seed),
            row.stage,
            _none_if_missing(row.kimg),
            row.metric,
            row.key,
        )
        assert key not in values, f"{run_dir}: two records of {key}"
        values[key] = getattr(row, column)
    return values


def assert_no_record_twice(run_dir: Path) -> None:
    """No two lines of ``records.jsonl`` have the same identity (the fields that say which value it is)."""
    lines = (run_dir / RECORDS_FILE).read_text().splitlines()
    identities = [record_identity(json.loads(line)) for line in lines if line.strip()]
    repeated = {identity for identity in identities if identities.count(identity) > 1}
    assert not repeated, f"{run_dir}: records written twice: {sorted(repeated)}"


@pytest.fixture(scope="session")
def values_of() -> Callable[..., dict[ValueKey, Any]]:
    """:func:`run_values`: ``values_of(run_dir, column="value")``."""
    return run_values


@pytest.fixture(scope="session")
def no_record_twice() -> Callable[[Path], None]:
    """:func:`assert_no_record_twice`: ``no_record_twice(run_dir)``."""
    return assert_no_record_twice
