"""Which reading of a SPEC applies (paths, then datasets, then generators); options that do not apply."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ganbench.sources import KINDS, SourceError, parse_source


def _png_folder(path: Path) -> Path:
    path.mkdir(parents=True)
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(path / "a.png")
    return path


def test_an_existing_path_wins_over_a_dataset_or_generator_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _png_folder(tmp_path / "mnist-5k")
    _png_folder(tmp_path / "os:getcwd")
    assert parse_source("mnist-5k", role="real").kind == "folder"
    assert parse_source("os:getcwd", role="fake").kind == "folder"
    assert parse_source("mnist-5k:test", role="real").kind == "dataset"  # no such path


def test_a_spec_that_matches_nothing_lists_every_kind(tmp_path: Path) -> None:
    for text in (str(tmp_path / "missing" / "x.npz"), "two words", "a:b:c"):
        with pytest.raises(SourceError) as err:
            parse_source(text, role="fake")
        assert str(err.value).startswith(f"{text}: ") and all(kind in str(err.value) for kind in KINDS)
    with pytest.raises(SourceError, match="an empty SPEC"):
        parse_source("  ", role="fake")


def test_other_files_are_refused_with_what_to_do(tmp_path: Path) -> None:
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(tmp_path / "one.png")
    with pytest.raises(SourceError, match="is a single image; point at the folder"):
        parse_source(str(tmp_path / "one.png"), role="fake")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(SourceError, match=r"neither an array \(\.npy, \.npz\) nor a folder"):
        parse_source(str(tmp_path / "notes.txt"), role="fake")


def test_options_that_do_not_apply_are_refused(tmp_path: Path) -> None:
    folder = str(_png_folder(tmp_path / "imgs"))
    with pytest.raises(SourceError, match="--checkpoint does not apply to an image folder"):
        parse_source(folder, role="fake", checkpoint=tmp_path / "g.pt")
    with pytest.raises(SourceError, match="--real-range does not apply to an image folder"):
        parse_source(folder, role="real", value_range="0,1")
    with pytest.raises(SourceError, match="--fake-key does not apply to a generator"):
        parse_source("os:getcwd", role="fake", array_key="images")
    np.save(tmp_path / "a.npy", np.zeros((2, 4, 4), np.uint8))
    with pytest.raises(SourceError, match="--checkpoint does not apply to an array file"):
        parse_source(str(tmp_path / "a.npy"), role="fake", checkpoint=tmp_path / "g.pt")
    with pytest.raises(ValueError, match="role must be 'real' or 'fake'"):
        parse_source(folder, role="both")  # type: ignore[arg-type]
