"""``folder:PATH`` datasets: files written with PIL in every mode, the resize protocol, labels, splits,
the spelling and its checks, and the one resolver every caller goes through."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ganbench.config import ConfigError, RunConfig, check_config
from ganbench.datasets import CorruptDatasetError, DatasetNameError
from ganbench.datasets.folder import FolderDataset, parse_folder_spelling, resize_square, split_indices
from ganbench.datasets.loading import dataset_loader, load_dataset


def save(path: Path, array: np.ndarray, mode: str | None = None) -> Path:
    """Write ``array`` (uint8 [H, W] or [H, W, C]) as an image file, converted to ``mode`` when given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.fromarray(array)
    if mode is not None:
        image = image.convert(mode)
    image.save(path)
    return path


def noise(h: int, w: int, seed: int, channels: int = 3) -> np.ndarray:
    shape = (h, w, channels) if channels > 1 else (h, w)
    return np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)


def grey_folder(folder: Path, n: int = 12, size: int = 32) -> Path:
    for i in range(n):
        save(folder / f"{i:03d}.png", noise(size, size, i, channels=1))
    return folder


def test_mixed_sizes_modes_and_formats_load_as_rgb(tmp_path: Path) -> None:
    """PNG and JPEG; L, RGB, opaque RGBA and P; four sizes: one uint8 [N, 3, 32, 32] set."""
    folder = tmp_path / "mixed"
    save(folder / "a.png", noise(40, 20, 0, channels=1))  # L
    save(folder / "b.png", noise(20, 40, 1))  # RGB
    rgba = np.concatenate([noise(50, 50, 2), np.full((50, 50, 1), 255, np.uint8)], axis=2)
    save(folder / "c.png", rgba)  # RGBA, opaque
    save(folder / "d.png", noise(33, 33, 3), mode="P")  # palette
    save(folder / "e.jpg", noise(64, 48, 4))  # JPEG RGB
    save(folder / "f.jpeg", noise(16, 16, 5, channels=1))  # JPEG L, enlarged
    for i in range(6):
        save(folder / "more" / f"{i}.png", noise(32, 32, 10 + i))
    ds = dataset_loader(f"folder:{folder}")()
    assert (ds.channels, ds.image_size) == (3, 32) and ds.num_classes == 1
    assert len(ds.train) + len(ds.test) == 12 and len(ds.test) == 2  # ceil(12 / 10)
    assert ds.train.images.dtype == torch.uint8 and ds.train.labels.dtype == torch.int64
    assert (ds.train.labels == 0).all() and (ds.test.labels == 0).all()
    assert ds.name == f"folder:{folder}"  # rgb is the default for a coloured folder: not spelled out
    assert "2 JPEG, 10 PNG" in ds.source and "unlabelled" in ds.source


def test_resize_protocol_centre_crops_then_bicubic(tmp_path: Path) -> None:
    """A 40x20 image: its centre 20x20 square (columns 10..29), then Pillow bicubic to 32x32."""
    array = noise(20, 40, 7)
    array[:, :10] = 255  # the cropped-away margins are white ...
    array[:, 30:] = 255
    out = resize_square(array.transpose(2, 0, 1), 32, grayscale=False)
    assert out.shape == (3, 32, 32)
    expected = Image.fromarray(np.ascontiguousarray(array[:, 10:30])).resize(
        (32, 32), Image.Resampling.BICUBIC
    )
    np.testing.assert_array_equal(out, np.asarray(expected).transpose(2, 0, 1))
    tall = noise(41, 20, 8)  # odd margin: top = (41 - 20) // 2 = 10
    out = resize_square(tall.transpose(2, 0, 1), 20, grayscale=False)
    np.testing.assert_array_equal(out, tall[10:30].transpose(2, 0, 1))  # same size: the crop, unchanged


@pytest.mark.parametrize(("h", "w"), [(20, 40), (77, 100), (9, 13), (200, 150)])
def test_constant_colour_stays_that_colour(h: int, w: int) -> None:
    image = np.empty((3, h, w), np.uint8)
    image[:] = np.array([12, 200, 255], np.uint8)[:, None, None]
    for size in (28, 32, 64):
        out = resize_square(image, size, grayscale=False)
        assert (out.reshape(3, -1).T == [12, 200, 255]).all()


def test_grayscale_is_bt601_luma_and_grey_rgb_keeps_its_value() -> None:
    pixel = np.array([200, 100, 50], np.uint8)[:, None, None] * np.ones((1, 4, 4), np.uint8)
    luma = resize_square(pixel, 28, grayscale=True)
    assert luma.shape == (1, 28, 28) and (luma == round(0.299 * 200 + 0.587 * 100 + 0.114 * 50)).all()
    grey = np.full((1, 4, 4), 77, np.uint8)
    assert (resize_square(grey, 32, grayscale=False) == 77).all()  # repeated into R, G, B


def test_grey_folder_defaults_to_one_channel_and_channels_option(tmp_path: Path) -> None:
    folder = grey_folder(tmp_path / "g")
    save(folder / "rgb-but-grey.png", np.repeat(noise(32, 32, 99, channels=1)[..., None], 3, axis=2))
    ds = dataset_loader(f"folder:{folder}")()
    assert ds.channels == 1 and ds.name == f"folder:{folder}"  # an RGB file without colour stays grey
    rgb = dataset_loader(f"folder:{folder},channels=rgb")()
    assert rgb.channels == 3 and rgb.name == f"folder:{folder},channels=rgb"
    np.testing.assert_array_equal(rgb.train.images[:, :1], ds.train.images)
    np.testing.assert_array_equal(rgb.train.images[:, 2], ds.train.images[:, 0])


def test_size_option_and_canonical_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = grey_folder(tmp_path / "g", size=70)
    monkeypatch.chdir(tmp_path)
    ds = dataset_loader("folder:g, size=64 ,channels=grayscale")()
    assert ds.image_size == 64 and ds.channels == 1
    assert ds.name == f"folder:{folder},size=64"  # absolute; channels as the default gives them: dropped
    assert dataset_loader(ds.name)().name == ds.name  # the recorded spelling loads the same data


def test_class_subfolders_numbered_and_named(tmp_path: Path) -> None:
    numbered = tmp_path / "digits"
    for label in (0, 1, 3):
        for i in range(4):
            save(numbered / str(label) / f"{i}.png", noise(28, 28, 10 * label + i, channels=1))
    ds = dataset_loader(f"folder:{numbered},size=28")()
    assert ds.num_classes == 4  # the folders' own numbers, as `evaluate` reads such a folder
    assert sorted(torch.cat([ds.train.labels, ds.test.labels]).tolist()) == [0] * 4 + [1] * 4 + [3] * 4
    named = tmp_path / "animals"
    for name, colour in (("dog", (0, 0, 255)), ("cat", (255, 0, 0)), ("emu", (0, 255, 0))):
        for i in range(4):
            save(named / name / f"{i}.png", np.full((20, 30, 3), colour, np.uint8))
    ds = dataset_loader(f"folder:{named}")()
    assert ds.num_classes == 3 and "0 cat, 1 dog, 2 emu" in ds.source  # sorted names
    for split in (ds.train, ds.test):
        reds = split.images[:, 0, 0, 0] == 255
        assert (split.labels[reds] == 0).all() and (
            split.labels[~reds & (split.images[:, 2, 0, 0] == 255)] == 1
        ).all()


def test_images_beside_subfolders_make_it_unlabelled(tmp_path: Path) -> None:
    folder = grey_folder(tmp_path / "g")
    save(folder / "cls" / "x.png", noise(32, 32, 50, channels=1))
    ds = dataset_loader(f"folder:{folder}")()
    assert ds.num_classes == 1


def test_train_and_test_subfolders_are_the_split(tmp_path: Path) -> None:
    root = tmp_path / "split"
    for split, n in (("train", 9), ("test", 3)):
        for i in range(n):
            save(
                root / split / ("b" if i % 2 else "a") / f"{i}.png",
                noise(32, 32, i + 100 * (split == "test")),
            )
    save(root / "ignored" / "x.png", noise(32, 32, 999))
    ds = dataset_loader(f"folder:{root}")()
    assert (len(ds.train), len(ds.test)) == (9, 3) and ds.num_classes == 2
    assert ds.test.labels.tolist() == [0, 0, 1]  # sorted file order within test/: a/0, a/2, b/1
    assert "the train/ and test/ folders" in ds.source
    expected = np.asarray(Image.open(root / "test" / "b" / "1.png")).transpose(2, 0, 1)
    np.testing.assert_array_equal(ds.test.images[2].numpy(), expected)


def test_held_out_split_is_seeded_and_deterministic(tmp_path: Path) -> None:
    train, test = split_indices(95)
    assert len(test) == math.ceil(95 / 10) and len(train) == 95 - 10
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(95))
    again = split_indices(95)
    np.testing.assert_array_equal(train, again[0])
    np.testing.assert_array_equal(test, np.random.default_rng(0).permutation(95)[:10])
    assert len(split_indices(200_000)[1]) == 10_000  # capped
    folder = grey_folder(tmp_path / "g", n=25)
    torch.manual_seed(123)  # the global RNG plays no part
    a = dataset_loader(f"folder:{folder}")()
    torch.manual_seed(456)
    np.random.seed(7)
    b = dataset_loader(f"folder:{folder}")()
    np.testing.assert_array_equal(a.test.images.numpy(), b.test.images.numpy())
    files = sorted(folder.glob("*.png"))
    first_held_out = files[int(np.random.default_rng(0).permutation(25)[0])]
    np.testing.assert_array_equal(a.test.images[0, 0].numpy(), np.asarray(Image.open(first_held_out)))


@pytest.mark.parametrize(
    ("spelling", "words"),
    [
        ("folder:{tmp}/nope", ["no such folder", "write folder:PATH"]),
        ("folder:{tmp}/greyz", ["no such folder", "did you mean 'greys'"]),
        ("folder:{tmp}/g/000.png", ["is a file, not a folder"]),
        ("folder:{tmp}/empty", ["holds no image files"]),
        ("folder:{tmp}/few", ["only 3 image files", "at least 10"]),
        ("folder:", ["no folder given"]),
        ("folder:{tmp}/g,size=48", ["size=48 is not one of 28, 32, 64"]),
        ("folder:{tmp}/g,channels=rgba", ["channels=rgba is not rgb or grayscale"]),
        ("folder:{tmp}/g,sise=32", ["unknown option 'sise'"]),
        ("folder:{tmp}/g,size=32,size=64", ["option size is given twice"]),
        ("folder:{tmp}/broken", ["0.png: cannot be read as an image", "replace or remove the file"]),
    ],
)
def test_bad_spellings_are_refused_early_with_the_fix(
    tmp_path: Path, spelling: str, words: list[str]
) -> None:
    grey_folder(tmp_path / "g")
    grey_folder(tmp_path / "greys")
    (tmp_path / "empty").mkdir()
    grey_folder(tmp_path / "few", n=3)
    broken = grey_folder(tmp_path / "broken")
    (broken / "000.png").write_bytes(b"not a png")
    with pytest.raises(DatasetNameError) as info:
        dataset_loader(spelling.format(tmp=tmp_path))
    message = str(info.value)
    for word in words:
        assert word in message, message


def test_a_broken_file_past_the_probe_is_a_corrupt_dataset(tmp_path: Path) -> None:
    folder = grey_folder(tmp_path / "g")
    (folder / "011.png").write_bytes(b"\x89PNG truncated")
    loader = dataset_loader(f"folder:{folder}")  # the first files are fine
    with pytest.raises(CorruptDatasetError, match=r"011\.png: cannot be read as an image"):
        loader()


def test_transparent_pixels_are_refused(tmp_path: Path) -> None:
    folder = grey_folder(tmp_path / "g")
    save(folder / "zz.png", np.zeros((8, 8, 4), np.uint8))
    with pytest.raises(CorruptDatasetError, match="transparent pixels"):
        dataset_loader(f"folder:{folder}")()


def test_unknown_name_lists_the_names_and_folder() -> None:
    with pytest.raises(DatasetNameError) as info:
        dataset_loader("cifar")
    message = str(info.value)
    assert "did you mean 'cifar10'" in message and "mnist-5k" in message and "folder:PATH" in message


def test_config_check_and_load_dataset_go_through_the_resolver(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such folder") as info:
        check_config(RunConfig(dataset=f"folder:{tmp_path / 'typo'}"))
    assert info.value.setting == "dataset"
    with pytest.raises(ConfigError, match="folder:PATH"):
        check_config(RunConfig(dataset="faces"))
    folder = grey_folder(tmp_path / "g")
    check_config(RunConfig(dataset=f"folder:{folder}"))
    dataset, note = load_dataset(f"folder:{folder}", None, allow_fallback=True, log=print)
    assert (
        note is None
        and dataset.name == f"folder:{folder}"
        and isinstance(dataset_loader(dataset.name), FolderDataset)
    )


def test_a_comma_in_the_path_is_kept(tmp_path: Path) -> None:
    folder = grey_folder(tmp_path / "a,b")
    assert parse_folder_spelling(f"folder:{folder}").path == folder
    assert parse_folder_spelling(f"folder:{folder},size=28").size == 28


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (["run", "--dataset", "{bad}"], "--dataset"),
        (["validate", "--dataset", "{bad}"], "--dataset"),
        (["evaluate", "--real", "mnist-5k", "--fake", "{good}", "--dataset", "{bad}"], "--dataset"),
        (["evaluate", "--real", "{bad}:train", "--fake", "{good}"], "--real"),
    ],
    ids=["run", "validate", "evaluate-dataset", "evaluate-real"],
)
def test_a_mistyped_folder_fails_every_command_before_any_work(
    tmp_path: Path, command: list[str], option: str
) -> None:
    from click.testing import CliRunner

    from ganbench.cli import main

    good = grey_folder(tmp_path / "faces", size=28)
    args = [a.format(bad=f"folder:{tmp_path / 'facse'}", good=good) for a in command]
    out = tmp_path / "reports"
    result = CliRunner().invoke(main, [*args, "--out", str(out), "--no-progress"])
    assert result.exit_code == 2, result.output
    assert (
        option in result.output
        and "no such folder" in result.output
        and "did you mean 'faces'" in result.output
    )
    assert not out.exists()


def test_a_folder_dataset_as_a_source_has_its_split(tmp_path: Path) -> None:
    from ganbench.sources import parse_source

    folder = grey_folder(tmp_path / "g", n=20)
    spec = parse_source(f"folder:{folder},size=28:train", role="real")
    assert spec.kind == "dataset" and spec.split == "train" and spec.name == f"folder:{folder},size=28"
    (loaded,) = spec.load(n=None, seed=0, device=torch.device("cpu"), progress=False)
    assert loaded.images.shape == (18, 1, 28, 28) and loaded.train is not None  # 20 - ceil(20 / 10)
    assert parse_source(f"folder:{folder}", role="fake").split == "test"
