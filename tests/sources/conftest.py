"""Helpers for the source tests: parse and load a SPEC in one call."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from ganbench.sources import LoadedSet, parse_source


def load_one(
    text: str, *, n: int | None = None, seed: int = 0, role: str = "fake", **options: Any
) -> LoadedSet:
    """``parse_source(text, role=role, **options).load(...)``, which must give exactly one set."""
    sets = parse_source(text, role=role, **options).load(
        n=n, seed=seed, device=torch.device("cpu"), progress=False
    )
    assert len(sets) == 1
    return sets[0]


@pytest.fixture
def load() -> Any:
    return load_one
