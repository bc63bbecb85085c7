"""Tests for loading a dataset by name, with the one offline fallback (mnist -> mnist-5k)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ganbench.datasets import DatasetUnavailableError
from ganbench.datasets import mnist as mnist_module
from ganbench.datasets.loading import load_dataset


def _offline(*args: object, **kwargs: object) -> None:
    raise RuntimeError("no network (test)")


def test_mnist_offline_falls_back_to_mnist_5k_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mnist_module, "torchvision_download", _offline)
    said: list[str] = []
    dataset, note = load_dataset("mnist", str(tmp_path), allow_fallback=True, log=said.append)
    assert dataset.name == "mnist-5k" and note is not None and "FELL BACK to 'mnist-5k'" in note
    assert "\n" not in note  # one line: it heads the report as a quote
    assert said and said[0].startswith("warning:")


def test_a_protocol_that_needs_mnist_refuses_to_fall_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mnist_module, "torchvision_download", _offline)
    said: list[str] = []
    with pytest.raises(DatasetUnavailableError, match=str(tmp_path)):
        load_dataset("mnist", str(tmp_path), allow_fallback=False, log=said.append)
    assert not said


def test_an_available_dataset_loads_without_a_note() -> None:
    dataset, note = load_dataset("mnist-5k", None, allow_fallback=True, log=print)
    assert dataset.name == "mnist-5k" and note is None
