"""What a record says about the software and the machine that produced it."""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata
from pathlib import Path

import torch


def versions() -> dict[str, str | None]:
    """The record fields ``ganbench_version``, ``torch_version``, ``torch_fidelity_version``,
    ``numpy_version``, ``scipy_version`` and ``python_version``."""

    def version(package: str) -> str | None:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return None

    from ganbench import __version__  # the code's own, right even in a stale editable install

    return {
        "ganbench_version": __version__,
        "torch_version": torch.__version__,
        "torch_fidelity_version": version("torch-fidelity"),
        "numpy_version": version("numpy"),
        "scipy_version": version("scipy"),
        "python_version": platform.python_version(),
    }


def git_commit() -> str | None:
    """The commit of the ganbench checkout in use, or None when it is not a git checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None
