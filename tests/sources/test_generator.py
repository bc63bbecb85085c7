"""A user's torch generator (``file.py:function`` / ``module:function``): sampling, checkpoints, refusals."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from ganbench.images import signed_to_uint8, unit_to_uint8
from ganbench.metrics.spec import GeneratorHandle
from ganbench.sources import SourceError, parse_source

GENERATORS = '''
import torch
from torch import nn


class G(nn.Module):
    """z [B, 4] -> [B, 1, 4, 4], Tanh (or Sigmoid with unit=True, or scaled by `scale`)."""

    def __init__(self, unit=False, scale=1.0):
        super().__init__()
        self.fc = nn.Linear(4, 16)
        self.unit, self.scale = unit, scale

    def forward(self, z):
        x = self.fc(z).reshape(-1, 1, 4, 4)
        return torch.sigmoid(x) if self.unit else self.scale * torch.tanh(x)


class Conditional(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(3, 4)
        self.fc = nn.Linear(4, 48)

    def forward(self, z, labels):
        return torch.tanh(self.fc(z + self.embed(labels))).reshape(-1, 3, 4, 4)


def make():
    torch.manual_seed(0)
    return G(), 4


def make_unit():
    torch.manual_seed(0)
    return G(unit=True), 4


def make_conditional():
    torch.manual_seed(0)
    return Conditional(), 4, 3


def too_bright():
    return G(scale=3.0), 4


def flat():
    return nn.Linear(4, 16), 4


def not_a_pair():
    return G()


def bad_latent():
    return G(), 0


def raises():
    raise RuntimeError("no weights here")


NOT_CALLABLE = 3
'''

CPU = torch.device("cpu")


@pytest.fixture
def gen_file(tmp_path: Path) -> Path:
    path = tmp_path / "gens.py"
    path.write_text(GENERATORS)
    return path


def _codes(n: int, seed: int) -> torch.Tensor:
    """The codes the sampler draws for one block of ``n`` on the CPU (z ~ N(0, I) from a seeded generator)."""
    return torch.randn(n, 4, generator=torch.Generator().manual_seed(seed))


def test_unconditional_generator_samples_seeded_images_and_a_handle(gen_file: Path) -> None:
    spec = parse_source(f"{gen_file}:make", role="fake")
    assert spec.kind == "generator" and "unconditional, latent 4" in spec.describe()
    (loaded,) = spec.load(n=6, seed=3, device=CPU, progress=False)
    with torch.no_grad():
        expected = signed_to_uint8(spec.module(_codes(6, 3)))
    assert torch.equal(loaded.images, expected)
    assert loaded.label == "make" and loaded.seed == 3 and loaded.labels is None
    assert loaded.source == f"generator {gen_file.resolve()}:make (sample seed 3)"
    assert isinstance(loaded.generator, GeneratorHandle) and loaded.generator.latent_dim == 4
    z = _codes(2, 9)
    assert torch.allclose(loaded.generator(z), (spec.module(z) + 1) / 2)  # the handle's [0, 1] contract
    (again,) = spec.load(n=6, seed=3, device=CPU, progress=False)
    (other,) = spec.load(n=6, seed=4, device=CPU, progress=False)
    assert again.sha256 == loaded.sha256 and other.sha256 != loaded.sha256


def test_a_unit_range_generator_is_mapped_to_the_handle_contract(gen_file: Path) -> None:
    spec = parse_source(f"{gen_file}:make_unit", role="fake", value_range="0,1")
    (loaded,) = spec.load(n=6, seed=1, device=CPU, progress=False)
    with torch.no_grad():
        unit = spec.module(_codes(6, 1))
    # through [-1, 1] and back: at most one level from the direct conversion (rounding at .5 boundaries)
    assert (loaded.images.int() - unit_to_uint8(unit).int()).abs().max() <= 1
    z = _codes(3, 2)
    assert torch.allclose(loaded.generator(z), spec.module(z), atol=1e-6)
    assert "output range 0,1" in loaded.source


def test_conditional_generator_gets_balanced_labels(gen_file: Path) -> None:
    spec = parse_source(f"{gen_file}:make_conditional", role="fake")
    (loaded,) = spec.load(n=7, seed=0, device=CPU, progress=False)
    labels = torch.arange(7) % 3
    assert loaded.labels.tolist() == labels.tolist() and loaded.num_classes == 3
    with torch.no_grad():
        expected = signed_to_uint8(spec.module(_codes(7, 0), labels))
    assert torch.equal(loaded.images, expected)
    assert loaded.images.shape == (7, 3, 4, 4)
    assert loaded.generator is None  # measures that take a generator take an unconditional one


@pytest.mark.parametrize("wrap", [None, "state_dict", "generator"])
def test_checkpoint_weights_are_loaded(gen_file: Path, tmp_path: Path, wrap: str | None) -> None:
    torch.manual_seed(1)
    trained = torch.nn.Linear(4, 16)
    state = {f"fc.{k}": v for k, v in trained.state_dict().items()}
    torch.save(state if wrap is None else {wrap: state, "step": 7}, tmp_path / "g.pt")
    spec = parse_source(f"{gen_file}:make", role="fake", checkpoint=tmp_path / "g.pt")
    (loaded,) = spec.load(n=4, seed=0, device=CPU, progress=False)
    with torch.no_grad():
        expected = signed_to_uint8(torch.tanh(trained(_codes(4, 0))).reshape(-1, 1, 4, 4))
    assert torch.equal(loaded.images, expected)
    assert f"checkpoint {(tmp_path / 'g.pt').resolve()}" in loaded.source


def test_bad_checkpoints_are_refused(gen_file: Path, tmp_path: Path) -> None:
    torch.save({"fc.weight": torch.zeros(3, 3), "fc.bias": torch.zeros(3)}, tmp_path / "wrong.pt")
    with pytest.raises(
        SourceError, match=r"(?s)--checkpoint\).*does not fit the module.*size mismatch for fc\.weight"
    ):
        parse_source(f"{gen_file}:make", role="fake", checkpoint=tmp_path / "wrong.pt")
    torch.save(torch.nn.Linear(4, 16), tmp_path / "pickled.pt")  # a whole module: only unpickling reads it
    with pytest.raises(
        SourceError, match=r"holds a torch\.nn\.modules\.linear\.Linear object.*never unpickles"
    ):
        parse_source(f"{gen_file}:make", role="fake", checkpoint=tmp_path / "pickled.pt")
    with pytest.raises(SourceError, match="is not a file"):
        parse_source(f"{gen_file}:make", role="fake", checkpoint=tmp_path / "missing.pt")
    (tmp_path / "text.pt").write_text("hello")
    with pytest.raises(SourceError, match="cannot be read as weights"):
        parse_source(f"{gen_file}:make", role="fake", checkpoint=tmp_path / "text.pt")


@pytest.mark.parametrize(
    ("function", "message"),
    [
        ("flat", r"returned shape \[2, 16\] for a batch of 2; a generator must return images \[2, C, H, W\]"),
        ("too_bright", r"outside the declared range \[-1, 1\]"),
        (
            "not_a_pair",
            r"returned G; it must return \(module, latent_dim\) or \(module, latent_dim, num_classes\)",
        ),
        ("bad_latent", "latent_dim must be an integer >= 1; got 0"),
        ("raises", r"calling raises\(\) raised RuntimeError: no weights here \(at .*gens\.py:\d+\)"),
        ("mak", "has no attribute 'mak'; did you mean 'make'"),
        ("NOT_CALLABLE", "has a int, not a function, as 'NOT_CALLABLE'"),
    ],
)
def test_wrong_functions_are_refused_when_checked(gen_file: Path, function: str, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        parse_source(f"{gen_file}:{function}", role="fake")


def test_import_errors_are_shown(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import not_a_real_package_xyz\n")
    with pytest.raises(SourceError, match="ModuleNotFoundError: No module named 'not_a_real_package_xyz'"):
        parse_source(f"{tmp_path / 'broken.py'}:make", role="fake")
    (tmp_path / "syntax.py").write_text("def make(:\n")
    with pytest.raises(
        SourceError, match=r"importing .*syntax\.py raised SyntaxError: invalid syntax \(at .*syntax\.py:1\)"
    ):
        parse_source(f"{tmp_path / 'syntax.py'}:make", role="fake")
    with pytest.raises(SourceError, match="no such Python file"):
        parse_source(f"{tmp_path / 'absent.py'}:make", role="fake")
    with pytest.raises(SourceError, match=r"write .*gens\.py:FUNCTION"):
        (tmp_path / "gens.py").write_text(GENERATORS)
        parse_source(str(tmp_path / "gens.py"), role="fake")


@pytest.fixture
def importable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A module ``usergens_<id>`` in the current directory (as next to where ``ganbench`` runs)."""
    name = f"usergens_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text(GENERATORS)
    monkeypatch.chdir(tmp_path)
    yield name
    sys.modules.pop(name, None)


def test_module_function_from_the_current_directory(importable: str) -> None:
    spec = parse_source(f"{importable}:make", role="fake")
    (loaded,) = spec.load(n=2, seed=0, device=CPU, progress=False)
    assert loaded.source == f"generator {importable}:make (sample seed 0)"
    with pytest.raises(SourceError, match="no module named 'no_such_module_abc'"):
        parse_source("no_such_module_abc:make", role="fake")


def test_a_generator_needs_n(gen_file: Path) -> None:
    spec = parse_source(f"{gen_file}:make", role="fake")
    with pytest.raises(SourceError, match="give the number of images n"):
        spec.load(n=None, seed=0, device=CPU, progress=False)
    with pytest.raises(SourceError, match="n must be an integer >= 1"):
        spec.load(n=0, seed=0, device=CPU, progress=False)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_a_generator_samples_on_the_device_and_returns_cpu_images(gen_file: Path) -> None:
    cuda = torch.device("cuda")
    spec = parse_source(f"{gen_file}:make", role="fake")
    (loaded,) = spec.load(n=6, seed=3, device=cuda, progress=False)
    assert loaded.images.device.type == "cpu" and loaded.generator.device == cuda
    with torch.no_grad():
        z = torch.randn(6, 4, generator=torch.Generator(device=cuda).manual_seed(3), device=cuda)
        expected = signed_to_uint8(spec.module(z)).cpu()
    assert torch.equal(loaded.images, expected)


def test_a_generator_that_fails_while_sampling_is_named(tmp_path: Path) -> None:
    """The probe batch passes, a later batch raises: a SourceError naming the SPEC, not a traceback."""
    module = tmp_path / "flaky.py"
    module.write_text(
        "import torch\n"
        "from torch import nn\n\n\n"
        "class Flaky(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.calls = 0\n\n"
        "    def forward(self, z):\n"
        "        self.calls += 1\n"
        "        if self.calls > 1:\n"
        "            raise RuntimeError('out of digits')\n"
        "        return torch.zeros(len(z), 1, 8, 8)\n\n\n"
        "def make():\n"
        "    return Flaky(), 4\n"
    )
    spec = parse_source(f"{module}:make", role="fake")
    with pytest.raises(SourceError, match=r"flaky.py:make: the generator raised RuntimeError while drawing"):
        spec.load(n=20, seed=0, device=torch.device("cpu"), progress=False)
