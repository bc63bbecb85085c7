"""A user's own extractor from ``path/file.py:function`` or ``module:function``: outputs, identity, errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch

from ganbench.datasets import Dataset, ImageSet
from ganbench.extractors.spec import state_dict_sha256
from ganbench.extractors.user_module import (
    UserExtractorError,
    import_user_function,
    load_user_extractor,
    parse_user_spec,
)

MODULE = '''
import torch
from torch import nn


class Flatten(nn.Module):
    """features = the input pixels as seen, flattened: shows what the module is fed."""

    def forward(self, x):
        return x.flatten(1)


class WithLogits(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.features = nn.Linear(28 * 28, 6)
        self.head = nn.Linear(6, 3)

    def forward(self, x):
        f = self.features(x.flatten(1))
        return f, self.head(f)


class Returns(nn.Module):
    def __init__(self, make):
        super().__init__()
        self.make = make

    def forward(self, x):
        return self.make(x)


def flatten():
    return Flatten()


def with_logits():
    return WithLogits()


def three_d():
    return Returns(lambda x: x)


def three_items():
    return Returns(lambda x: (x.flatten(1), x.flatten(1), x.flatten(1)))


def a_list():
    return Returns(lambda x: x.flatten(1).tolist())


def wrong_rows():
    return Returns(lambda x: x.flatten(1)[:1])


def integers():
    return Returns(lambda x: (x.flatten(1) * 255).to(torch.int64))


def nan():
    return Returns(lambda x: x.flatten(1) * float("nan"))


def not_a_module():
    return "a string"


def needs_an_argument(width):
    return Flatten()


def raises():
    raise RuntimeError("weights not found")


NOT_CALLABLE = 3
'''


@pytest.fixture
def user_file(tmp_path: Path) -> Path:
    path = tmp_path / "my_features.py"
    path.write_text(MODULE)
    return path


def _images(n: int, size: int = 28, channels: int = 1, seed: int = 0) -> torch.Tensor:
    return torch.randint(0, 256, (n, channels, size, size), generator=torch.Generator().manual_seed(seed)).to(
        torch.uint8
    )


def _load(spec: str, **kwargs: object):
    return load_user_extractor(spec, probe=_images(2), progress=False, **kwargs)


def test_features_only_module_sees_unit_pixels_at_native_size(user_file: Path) -> None:
    spec = f"{user_file}:flatten"
    extractor = _load(spec, batch_size=3)
    images = _images(7)
    out = extractor(images, progress=False)
    assert set(out) == {"features"} and out["features"].dtype == np.float32
    np.testing.assert_array_equal(out["features"], images.reshape(7, -1).numpy().astype(np.float32) / 255)
    identity = extractor.identity
    assert identity.name == f"user:{spec}" and identity.has_logits is False
    assert (identity.input_size, identity.resize, identity.channels) == ("native", "none", "native")
    assert identity.weights_file_sha256 is None and "features [784], no logits" in identity.protocol


def test_module_with_logits(user_file: Path) -> None:
    spec = f"{user_file}:with_logits"
    extractor = _load(spec)
    out = extractor(_images(5, seed=1), progress=False)
    assert out["features"].shape == (5, 6) and out["logits"].shape == (5, 3)
    assert extractor.identity.has_logits is True and "logits [3]" in extractor.identity.protocol
    function, source = import_user_function(spec)
    assert source == user_file.resolve()
    assert extractor.identity.weights_sha256 == state_dict_sha256(function())[:16]


def test_module_function_form_from_the_python_path(user_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(user_file.parent))
    extractor = _load("my_features:flatten")
    assert extractor.identity.name == "user:my_features:flatten"
    assert extractor(_images(2), progress=False)["features"].shape == (2, 784)


def test_editing_the_source_changes_the_identity(user_file: Path) -> None:
    before = _load(f"{user_file}:flatten").identity
    user_file.write_text(MODULE + "\n# edited\n")
    after = _load(f"{user_file}:flatten").identity
    assert before.weights_sha256 == after.weights_sha256 and before.protocol != after.protocol


def test_sample_images_come_from_the_dataset_or_are_asked_for(user_file: Path) -> None:
    def split(n: int, seed: int) -> ImageSet:
        return ImageSet(_images(n, seed=seed), torch.zeros(n, dtype=torch.int64))

    dataset = Dataset("tiny", split(4, 1), split(3, 2), 1, "test images")
    extractor = load_user_extractor(f"{user_file}:flatten", dataset, progress=False)
    assert extractor(dataset.test.images, progress=False)["features"].shape == (3, 784)
    with pytest.raises(UserExtractorError, match="pass dataset= or probe="):
        load_user_extractor(f"{user_file}:flatten", progress=False)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_colon", "is given as 'package.module:function'"),
        ("mod:not-an-identifier", "with a function name after the last colon"),
        ("no.such.module_xyz:f", "is not on the Python path"),
        ("{dir}/absent.py:flatten", "does not exist"),
        ("{file}:missing", "has no function 'missing'; its functions: a_list, flatten, integers"),
        ("{file}:NOT_CALLABLE", "is of type int, not a function"),
        ("{file}:needs_an_argument", "must take no arguments; it requires width"),
        ("{file}:raises", "calling it failed: RuntimeError: weights not found"),
        ("{file}:not_a_module", "returned a str, not a torch.nn.Module"),
        ("{file}:three_d", r"shape \(2, 1, 28, 28\) for 2 images"),
        ("{file}:three_items", "returned 3 items, not the pair"),
        ("{file}:a_list", "features are a list, not a tensor"),
        ("{file}:wrong_rows", r"shape \(1, 784\) for 2 images"),
        ("{file}:integers", "dtype torch.int64, not a float dtype"),
        ("{file}:nan", "contain NaN or infinite values"),
    ],
)
def test_errors_say_what_is_wrong(user_file: Path, spec: str, message: str) -> None:
    with pytest.raises(UserExtractorError, match=message):
        _load(spec.format(file=user_file, dir=user_file.parent))


def test_a_file_that_fails_to_import(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("def f(:\n")
    with pytest.raises(UserExtractorError, match=r"importing .*broken\.py.* failed: SyntaxError"):
        _load(f"{broken}:f")
    importer = tmp_path / "imports_missing.py"
    importer.write_text("import a_module_that_is_not_installed_xyz\n")
    with pytest.raises(UserExtractorError, match="ModuleNotFoundError"):
        _load(f"{importer}:f")


def test_output_width_must_not_change_between_batches(user_file: Path) -> None:
    extractor = _load(f"{user_file}:flatten")  # probed on 28x28: 784 columns
    with pytest.raises(UserExtractorError, match="1024 columns here but 784 on the first batch"):
        extractor(_images(2, size=32), progress=False)


def test_parse_tells_files_from_modules() -> None:
    assert parse_user_spec("pkg.mod:fn").is_file is False
    parsed = parse_user_spec("C:/work/x.py:fn")  # the last colon splits, so a drive letter survives
    assert (parsed.source, parsed.function, parsed.is_file) == ("C:/work/x.py", "fn", True)


def test_a_file_may_import_its_neighbours(tmp_path: Path) -> None:
    (tmp_path / "helper_net_xyz.py").write_text("from torch import nn\nNet = nn.Flatten\n")
    (tmp_path / "entry.py").write_text(
        textwrap.dedent(
            """
            from helper_net_xyz import Net

            def build():
                return Net()
            """
        )
    )
    assert _load(f"{tmp_path / 'entry.py'}:build")(_images(1), progress=False)["features"].shape == (1, 784)
