"""Folders of PNG / JPEG files: modes, nesting, ImageFolder labels, and every refusal naming its file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ganbench.sources import SourceError, parse_source

RNG = np.random.default_rng(0)


def _grey(h: int = 8, w: int = 8) -> np.ndarray:
    return RNG.integers(0, 256, (h, w), dtype=np.uint8)


def _rgb(h: int = 8, w: int = 8) -> np.ndarray:
    return RNG.integers(0, 256, (h, w, 3), dtype=np.uint8)


def _save(path: Path, pixels: np.ndarray, mode: str | None = None) -> np.ndarray:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels, mode=mode).save(path)
    return pixels


def test_grey_pngs_are_read_exactly_in_sorted_order(tmp_path: Path, load) -> None:
    pixels = {name: _save(tmp_path / "set" / name, _grey()) for name in ("b.png", "a.PNG", "c.png")}
    loaded = load(str(tmp_path / "set"))
    expected = np.stack([pixels["a.PNG"], pixels["b.png"], pixels["c.png"]])[:, None]
    assert torch.equal(loaded.images, torch.from_numpy(expected))
    assert loaded.labels is None and loaded.num_classes is None
    assert loaded.label == "set"
    assert loaded.source == f"folder {(tmp_path / 'set').resolve()} (3 PNG; 3 of 3)"


def test_rgb_png_is_three_channels_and_jpeg_is_read(tmp_path: Path, load) -> None:
    rgb = _save(tmp_path / "rgb" / "x.png", _rgb())
    assert torch.equal(load(str(tmp_path / "rgb")).images[0], torch.from_numpy(rgb).permute(2, 0, 1))
    smooth = np.tile(np.linspace(0, 255, 16, dtype=np.uint8), (16, 1))
    (tmp_path / "jpg").mkdir()
    Image.fromarray(np.stack([smooth] * 3, axis=-1)).save(tmp_path / "jpg" / "y.JPEG", quality=95)
    jpeg = load(str(tmp_path / "jpg"))
    assert jpeg.images.shape == (1, 3, 16, 16)
    # lossy, but close to what was saved
    assert (jpeg.images[0, 0].int() - torch.from_numpy(smooth).int()).abs().max() <= 8
    assert "1 JPEG" in jpeg.source


def test_nested_folders_are_read_in_relative_path_order(tmp_path: Path, load) -> None:
    a = _save(tmp_path / "n" / "x" / "deep" / "1.png", _grey())
    b = _save(tmp_path / "n" / "a.png", _grey())
    c = _save(tmp_path / "n" / "x" / "0.png", _grey())
    (tmp_path / "n" / "notes.txt").write_text("not an image")
    loaded = load(str(tmp_path / "n"))
    # a.png, x/0.png, x/deep/1.png
    assert torch.equal(loaded.images[:, 0], torch.from_numpy(np.stack([b, c, a])))
    assert loaded.labels is None  # top-level images: not an ImageFolder layout


def test_imagefolder_layout_gives_labels(tmp_path: Path, load) -> None:
    for cls in (0, 2, 10):
        for i in range(2):
            _save(tmp_path / "f" / str(cls) / f"{i}.png", _grey())
    loaded = load(str(tmp_path / "f"))
    # sorted relative paths: 0/, 10/, 2/
    assert loaded.labels.tolist() == [0, 0, 10, 10, 2, 2]
    assert loaded.num_classes == 11
    sub = load(str(tmp_path / "f"), n=3, seed=4)
    rows = torch.tensor([0, 0, 10, 10, 2, 2])
    full = loaded.images.reshape(6, -1)
    picked = [int(torch.nonzero((full == img.reshape(-1)).all(1))[0]) for img in sub.images]
    assert sub.labels.tolist() == rows[picked].tolist()  # labels follow their images into the subset


def test_non_integer_class_folders_give_no_labels(tmp_path: Path, load) -> None:
    _save(tmp_path / "f" / "0" / "a.png", _grey())
    _save(tmp_path / "f" / "cats" / "a.png", _grey())
    assert load(str(tmp_path / "f")).labels is None


def test_mixed_sizes_are_refused_listing_the_odd_files(tmp_path: Path) -> None:
    for i in range(3):
        _save(tmp_path / "m" / f"{i}.png", _grey())
    _save(tmp_path / "m" / "big.png", _grey(10, 12))
    _save(tmp_path / "m" / "colour.png", _rgb())
    spec = parse_source(str(tmp_path / "m"), role="fake")
    with pytest.raises(SourceError, match="same size and channel count") as err:
        spec.load(n=None, seed=0, device=torch.device("cpu"), progress=False)
    message = str(err.value)
    assert "big.png (12x10, 1 channel, L)" in message and "colour.png (8x8, 3 channels, RGB)" in message
    assert "0.png" not in message.split("Differing")[1]


def test_a_corrupt_file_is_named(tmp_path: Path) -> None:
    _save(tmp_path / "c" / "a.png", _grey())
    data = (tmp_path / "c" / "a.png").read_bytes()
    (tmp_path / "c" / "b.png").write_bytes(data[: len(data) // 2])  # truncated
    spec = parse_source(str(tmp_path / "c"), role="fake")  # the first file opens
    with pytest.raises(SourceError, match=r"b\.png: cannot be read as an image"):
        spec.load(n=None, seed=0, device=torch.device("cpu"), progress=False)
    (tmp_path / "c" / "0.png").write_bytes(b"not a png at all")
    with pytest.raises(SourceError, match=r"0\.png: cannot be read"):
        parse_source(str(tmp_path / "c"), role="fake")  # now the first file: refused when checked


def test_opaque_rgba_is_rgb_and_translucent_is_refused(tmp_path: Path, load) -> None:
    rgb = _rgb()
    rgba = np.concatenate([rgb, np.full((8, 8, 1), 255, np.uint8)], axis=-1)
    _save(tmp_path / "opaque" / "a.png", rgba, mode="RGBA")
    loaded = load(str(tmp_path / "opaque"))
    assert torch.equal(loaded.images[0], torch.from_numpy(rgb).permute(2, 0, 1))
    assert "RGBA with opaque alpha -> RGB" in loaded.source
    rgba[0, 0, 3] = 128
    _save(tmp_path / "clear" / "a.png", rgba, mode="RGBA")
    with pytest.raises(SourceError, match=r"a\.png: mode RGBA with transparent pixels \(1 of 64"):
        parse_source(str(tmp_path / "clear"), role="fake")


def test_palette_and_16_bit_grey_are_converted_only_when_exact(tmp_path: Path, load) -> None:
    rgb = _rgb()
    (tmp_path / "p").mkdir()
    Image.fromarray(rgb).quantize(colors=16).save(tmp_path / "p" / "a.png")
    palette = load(str(tmp_path / "p"))
    expected = np.asarray(Image.open(tmp_path / "p" / "a.png").convert("RGB")).transpose(2, 0, 1)
    assert torch.equal(palette.images[0], torch.from_numpy(expected.copy()))
    grey = _grey()
    (tmp_path / "wide").mkdir()
    Image.fromarray(grey.astype(np.uint16) * 257).save(tmp_path / "wide" / "a.png")
    assert torch.equal(load(str(tmp_path / "wide")).images[0, 0], torch.from_numpy(grey))
    (tmp_path / "deep").mkdir()
    Image.fromarray((grey.astype(np.uint16) * 257) + 1).save(tmp_path / "deep" / "a.png")
    with pytest.raises(SourceError, match="16-bit"):
        parse_source(str(tmp_path / "deep"), role="fake")


def test_unsupported_mode_is_refused(tmp_path: Path) -> None:
    (tmp_path / "cmyk").mkdir()
    Image.new("CMYK", (4, 4)).save(tmp_path / "cmyk" / "a.jpg")
    with pytest.raises(SourceError, match="mode CMYK is not supported"):
        parse_source(str(tmp_path / "cmyk"), role="fake")


def test_empty_folder_and_too_few_images(tmp_path: Path) -> None:
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    (tmp_path / "empty" / "readme.txt").write_text("x")
    with pytest.raises(SourceError, match="holds no image files"):
        parse_source(str(tmp_path / "empty"), role="fake")
    _save(tmp_path / "two" / "a.png", _grey())
    _save(tmp_path / "two" / "b.png", _grey())
    spec = parse_source(str(tmp_path / "two"), role="fake")
    with pytest.raises(SourceError, match="holds only 2 image files"):
        spec.load(n=3, seed=0, device=torch.device("cpu"), progress=False)
