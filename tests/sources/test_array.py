"""``.npy`` / ``.npz`` image arrays: layouts, dtypes, declared float ranges, keys, labels, no unpickling."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from ganbench.sources import SourceError, parse_source

RNG = np.random.default_rng(1)
NCHW = RNG.integers(0, 256, (5, 3, 6, 7), dtype=np.uint8)  # the reference images, uint8 [N, C, H, W]


GREY = NCHW[:, :1]


@pytest.mark.parametrize(
    ("layout", "array", "expected"),
    [
        ("NCHW", NCHW, NCHW),
        ("NHWC", NCHW.transpose(0, 2, 3, 1), NCHW),
        ("NCHW", GREY, GREY),
        ("NHWC", GREY.transpose(0, 2, 3, 1), GREY),
        ("NHW", GREY[:, 0], GREY),
    ],
)
def test_uint8_layouts_load_as_nchw(
    tmp_path: Path, load, layout: str, array: np.ndarray, expected: np.ndarray
) -> None:
    np.save(tmp_path / "a.npy", array)
    loaded = load(str(tmp_path / "a.npy"))
    assert torch.equal(loaded.images, torch.from_numpy(expected))
    assert loaded.label == "a" and loaded.labels is None
    assert f"uint8 {layout}" in loaded.source


@pytest.mark.parametrize(
    "shape", [(4, 3, 5, 3), (4, 1, 5, 1), (4, 5, 5, 5), (4, 5), (4, 3, 5, 5, 1), (0, 5, 5)]
)
def test_ambiguous_and_unknown_layouts_are_refused(tmp_path: Path, shape: tuple[int, ...]) -> None:
    np.save(tmp_path / "a.npy", np.zeros(shape, np.uint8))
    with pytest.raises(SourceError, match=r"accepted layouts: \[N, H, W\] \(greyscale\)"):
        parse_source(str(tmp_path / "a.npy"), role="fake")


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_float_ranges_are_converted_by_the_images_module(tmp_path: Path, load, dtype: type) -> None:
    unit = NCHW.astype(np.float64) / 255
    np.save(tmp_path / "unit.npy", unit.astype(dtype))
    np.save(tmp_path / "signed.npy", (unit * 2 - 1).astype(dtype))
    from_unit = load(str(tmp_path / "unit.npy"), value_range="0,1")
    from_signed = load(str(tmp_path / "signed.npy"), value_range=" -1, 1 ")
    assert torch.equal(from_unit.images, torch.from_numpy(NCHW))
    assert torch.equal(from_signed.images, torch.from_numpy(NCHW))
    assert "range -1,1" in from_signed.source


def test_float_without_a_declared_range_is_refused_naming_the_option(tmp_path: Path) -> None:
    np.save(tmp_path / "f.npy", np.zeros((2, 1, 4, 4), np.float32))
    with pytest.raises(SourceError, match="pass --fake-range 0,1 or --fake-range -1,1"):
        parse_source(str(tmp_path / "f.npy"), role="fake")
    with pytest.raises(SourceError, match="pass --real-range 0,1 or --real-range -1,1"):
        parse_source(str(tmp_path / "f.npy"), role="real")
    with pytest.raises(SourceError, match="--fake-range '0,255' is not a range"):
        parse_source(str(tmp_path / "f.npy"), role="fake", value_range="0,255")


def test_out_of_range_and_non_finite_floats_are_refused(tmp_path: Path, load) -> None:
    values = np.zeros((2, 1, 4, 4), np.float32)
    values[0, 0, 0, 0] = 1.0009  # within the 1e-3 tolerance: accepted, read as 255
    np.save(tmp_path / "edge.npy", values)
    assert int(load(str(tmp_path / "edge.npy"), value_range="0,1").images.max()) == 255
    values[1, 0, 0, 0] = -0.5
    np.save(tmp_path / "low.npy", values)
    spec = parse_source(str(tmp_path / "low.npy"), role="fake", value_range="0,1")
    with pytest.raises(
        SourceError, match=r"values span \[-0\.5, 1\.0009\], outside the declared range \[0, 1\]"
    ):
        spec.load(n=None, seed=0, device=torch.device("cpu"), progress=False)
    values[1, 0, 0, 0] = np.nan
    np.save(tmp_path / "nan.npy", values)
    with pytest.raises(SourceError, match="1 values are NaN or infinite"):
        parse_source(str(tmp_path / "nan.npy"), role="fake", value_range="0,1").load(
            n=None, seed=0, device=torch.device("cpu"), progress=False
        )


def test_other_integers_only_in_0_255_and_no_range_for_integers(tmp_path: Path, load) -> None:
    np.save(tmp_path / "i.npy", NCHW.astype(np.int64))
    assert torch.equal(load(str(tmp_path / "i.npy")).images, torch.from_numpy(NCHW))
    wide = NCHW.astype(np.int32)
    wide[0, 0, 0, 0] = 256
    np.save(tmp_path / "wide.npy", wide)
    with pytest.raises(SourceError, match=r"values span 0\.\.256"):
        parse_source(str(tmp_path / "wide.npy"), role="fake").load(
            n=None, seed=0, device=torch.device("cpu"), progress=False
        )
    with pytest.raises(SourceError, match="drop --fake-range"):
        parse_source(str(tmp_path / "i.npy"), role="fake", value_range="0,1")
    np.save(tmp_path / "b.npy", NCHW > 3)
    with pytest.raises(SourceError, match="dtype bool is not an image dtype"):
        parse_source(str(tmp_path / "b.npy"), role="fake")


def test_pickled_object_arrays_are_refused_without_unpickling(tmp_path: Path) -> None:
    objects = np.empty((2, 1, 4, 4), dtype=object)
    objects[...] = 0
    np.save(tmp_path / "o.npy", objects, allow_pickle=True)
    with pytest.raises(SourceError, match="never unpickles"):
        parse_source(str(tmp_path / "o.npy"), role="fake")
    np.savez(tmp_path / "o.npz", images=NCHW, labels=np.array([1, "a", None, 2, 3], dtype=object))
    with pytest.raises(SourceError, match="'labels' holds Python objects"):
        parse_source(str(tmp_path / "o.npz"), role="fake")


def test_npz_keys_labels_and_subsets(tmp_path: Path, load) -> None:
    labels = np.array([3, 1, 4, 1, 5])
    np.savez_compressed(tmp_path / "s.npz", other=np.zeros(3), x=NCHW, y=labels)
    loaded = load(str(tmp_path / "s.npz"))
    assert torch.equal(loaded.images, torch.from_numpy(NCHW))
    assert loaded.labels.tolist() == labels.tolist() and loaded.num_classes == 6
    assert loaded.source.startswith(
        f"array {(tmp_path / 's.npz').resolve()} key x (uint8 NCHW, labels from key y"
    )
    sub = load(str(tmp_path / "s.npz"), n=3, seed=2)
    assert len(sub) == 3 and sub.source.endswith("(uint8 NCHW, labels from key y; 3 of 5, subset seed 2)")
    rows = [int(np.flatnonzero((img.numpy() == NCHW).all(axis=(1, 2, 3)))[0]) for img in sub.images]
    assert rows == sorted(rows) and sub.labels.tolist() == labels[rows].tolist()
    with pytest.raises(SourceError, match="holds only 5"):
        parse_source(str(tmp_path / "s.npz"), role="fake").load(
            n=6, seed=0, device=torch.device("cpu"), progress=False
        )


def test_npz_key_choice(tmp_path: Path, load) -> None:
    np.savez(tmp_path / "one.npz", whatever=NCHW)
    assert torch.equal(load(str(tmp_path / "one.npz")).images, torch.from_numpy(NCHW))
    np.savez(tmp_path / "two.npz", a=NCHW, b=NCHW[:, :1])
    with pytest.raises(SourceError, match="say which holds the images with --fake-key NAME"):
        parse_source(str(tmp_path / "two.npz"), role="fake")
    assert load(str(tmp_path / "two.npz"), array_key="b").images.shape == (5, 1, 6, 7)
    with pytest.raises(SourceError, match="--fake-key 'c' is not an array of the file; its arrays: a, b"):
        parse_source(str(tmp_path / "two.npz"), role="fake", array_key="c")
    np.save(tmp_path / "a.npy", NCHW)
    with pytest.raises(SourceError, match="drop --fake-key"):
        parse_source(str(tmp_path / "a.npy"), role="fake", array_key="images")
    np.savez(tmp_path / "badlabels.npz", images=NCHW, labels=np.arange(4))
    with pytest.raises(SourceError, match=r"'labels' \(int64 \[4\]\) is read as class labels"):
        parse_source(str(tmp_path / "badlabels.npz"), role="fake")


def test_a_file_that_is_not_numpy_is_refused(tmp_path: Path) -> None:
    (tmp_path / "junk.npz").write_bytes(b"definitely not a zip")
    with pytest.raises(SourceError, match=r"cannot be read as a numpy \.npz file"):
        parse_source(str(tmp_path / "junk.npz"), role="fake")
