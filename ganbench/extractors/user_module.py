"""A user's own feature network, named ``module:function`` or ``path/to/file.py:function``.

The function takes no arguments and returns a ``torch.nn.Module`` that maps float32 images
[B, C, H, W] in [0, 1], at the images' own size and channels, to features [B, D], or to a tuple
(features [B, D], logits [B, K]). ganbench runs it in eval mode without gradients, in batches,
and checks its output on a first batch of sample images when it is loaded (so ``has_logits`` is
known before any feature pass) and on every batch after.

Its identity is ``user:<spec>``; the weights hash is :func:`state_dict_sha256` of the module, and
the protocol names the SHA-256 of the source file, so editing the code or the weights never
reads back features cached for the old version.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ganbench.datasets import Dataset
from ganbench.extractors._batches import run_in_batches
from ganbench.extractors._inputs import check_uint8_images
from ganbench.extractors.spec import ExtractorIdentity, state_dict_sha256
from ganbench.images import uint8_to_unit
from ganbench.numerics.checks import positive_int

PREFIX = "user:"
DEFAULT_BATCH_SIZE = 64
PROBE_IMAGES = 2  # sample images the module is first run on
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FORMS = "'package.module:function' or 'path/to/file.py:function'"


class UserExtractorError(ValueError):
    """A user extractor cannot be imported, built or run as promised; the message says what to fix."""


@dataclass(frozen=True)
class UserSpec:
    """A parsed ``module:function`` / ``path/file.py:function``.

    Attributes:
        spec: as given.
        source: the dotted module name or the file path.
        function: the function's name.
        is_file: ``source`` is a ``.py`` file rather than an importable module.
    """

    spec: str
    source: str
    function: str
    is_file: bool


def parse_user_spec(spec: str) -> UserSpec:
    """Split ``spec`` at its last colon; a source ending in ``.py`` or holding a path separator is a file.

    Raises:
        UserExtractorError: no colon, an empty part, or names that are not Python identifiers.
    """
    if not isinstance(spec, str) or ":" not in spec:
        raise UserExtractorError(f"a user extractor is given as {_FORMS}; got {spec!r}")
    source, function = spec.rsplit(":", 1)
    if not source or not _IDENTIFIER.match(function):
        raise UserExtractorError(
            f"user extractor {spec!r}: expected {_FORMS}, with a function name after the last colon"
        )
    is_file = source.endswith(".py") or "/" in source or "\\" in source
    if not is_file and not all(_IDENTIFIER.match(part) for part in source.split(".")):
        raise UserExtractorError(
            f"user extractor {spec!r}: {source!r} is neither a dotted module name nor a .py file; "
            f"expected {_FORMS}"
        )
    return UserSpec(spec, source, function, is_file)


def _import_file(parsed: UserSpec) -> object:
    path = Path(parsed.source).expanduser()
    if not path.is_file():
        raise UserExtractorError(
            f"user extractor {parsed.spec!r}: file {str(path)!r} does not exist "
            f"(relative paths are taken from {Path.cwd()})"
        )
    resolved = path.resolve()
    name = "ganbench_user_" + hashlib.sha256(str(resolved).encode()).hexdigest()[:12]
    module_spec = importlib.util.spec_from_file_location(name, resolved)
    if module_spec is None or module_spec.loader is None:
        raise UserExtractorError(f"user extractor {parsed.spec!r}: {str(path)!r} is not importable Python")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module  # dataclasses and pickling look their module up while it runs
    sys.path.insert(0, str(resolved.parent))  # so the file may import its neighbours
    try:
        module_spec.loader.exec_module(module)
    except BaseException as err:
        del sys.modules[name]
        if not isinstance(err, Exception):
            raise
        raise UserExtractorError(
            f"user extractor {parsed.spec!r}: importing {str(path)!r} failed: {type(err).__name__}: {err}"
        ) from err
    finally:
        sys.path.remove(str(resolved.parent))
    return module


def _import_module(parsed: UserSpec) -> object:
    try:
        return importlib.import_module(parsed.source)
    except ModuleNotFoundError as err:
        if err.name is not None and parsed.source.startswith(err.name):
            raise UserExtractorError(
                f"user extractor {parsed.spec!r}: module {parsed.source!r} is not on the Python path; "
                "install it, add its folder to PYTHONPATH, or name the file: 'path/to/file.py:function'"
            ) from err
        raise UserExtractorError(
            f"user extractor {parsed.spec!r}: importing {parsed.source!r} failed: {type(err).__name__}: {err}"
        ) from err
    except Exception as err:
        raise UserExtractorError(
            f"user extractor {parsed.spec!r}: importing {parsed.source!r} failed: {type(err).__name__}: {err}"
        ) from err


def import_user_function(spec: str) -> tuple[Callable[[], nn.Module], Path | None]:
    """The function named by ``spec`` (imported, not called) and its source file (None if unknown).

    The cheap check before any work: the module imports and the function exists and is callable.

    Raises:
        UserExtractorError: import failure, missing or non-callable function.
    """
    parsed = parse_user_spec(spec)
    module = _import_file(parsed) if parsed.is_file else _import_module(parsed)
    function = getattr(module, parsed.function, None)
    if function is None:
        defined = sorted(
            n for n, v in vars(module).items() if inspect.isfunction(v) and not n.startswith("_")
        )
        raise UserExtractorError(
            f"user extractor {spec!r}: {parsed.source!r} has no function {parsed.function!r}; "
            f"its functions: {', '.join(defined) or '(none)'}"
        )
    if not callable(function):
        raise UserExtractorError(
            f"user extractor {spec!r}: {parsed.function!r} is of type {type(function).__name__}, "
            "not a function"
        )
    file = getattr(module, "__file__", None)
    return function, Path(file) if file else None


def _required_parameters(function: Callable[..., object]) -> list[str]:
    """Names of the parameters ``function`` cannot be called without (none for a valid user function)."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: calling it will tell
        return []
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return [p.name for p in parameters if p.default is inspect.Parameter.empty and p.kind not in variadic]


def _source_digest(path: Path | None) -> str:
    if path is None or not path.is_file():
        return "unknown"
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


@dataclass(frozen=True)
class _Shape:
    """What the module returned on the sample batch: feature and logit widths (None: no logits)."""

    features: int
    logits: int | None


class UserExtractor:
    """A user's ``nn.Module`` as a :class:`~ganbench.extractors.spec.FeatureExtractor`.

    Attributes:
        identity: ``user:<spec>``, the module's weights hash, its source file's hash in the protocol.
        module: the network (eval mode, on ``device``).
    """

    def __init__(
        self,
        spec: str,
        module: nn.Module,
        source: Path | None,
        probe: torch.Tensor,
        *,
        device: torch.device,
        batch_size: int,
    ) -> None:
        self.spec = spec
        self.module = module.to(device).eval()
        self.device = device
        self.batch_size = batch_size
        self._shape: _Shape | None = None
        with torch.no_grad():
            first = self._forward(check_uint8_images(probe))
        logits = first["logits"].shape[1] if "logits" in first else None
        self._shape = _Shape(first["features"].shape[1], logits)
        readout = f"features [{self._shape.features}]" + (
            f", logits [{self._shape.logits}]" if self._shape.logits is not None else ", no logits"
        )
        self.identity = ExtractorIdentity(
            name=PREFIX + spec,
            weights_sha256=state_dict_sha256(self.module)[:16],
            protocol=(
                f"user function {spec} (source sha256 {_source_digest(source)}): uint8 / 255 -> float32 "
                f"[0, 1] at native size and channels; {readout}"
            ),
            input_size="native",
            resize="none",
            channels="native",
            weights_file_sha256=None,
            verified=True,
            has_logits=self._shape.logits is not None,
        )

    def _fail(self, what: str) -> UserExtractorError:
        return UserExtractorError(
            f"user extractor {self.spec!r}: {what}; its module must map float32 [B, C, H, W] in [0, 1] to "
            "features [B, D] or a tuple (features [B, D], logits [B, K])"
        )

    def _check(self, name: str, value: object, rows: int, width: int | None) -> torch.Tensor:
        if not isinstance(value, torch.Tensor):
            raise self._fail(f"its {name} are a {type(value).__name__}, not a tensor")
        if value.ndim != 2 or value.shape[0] != rows:
            raise self._fail(f"its {name} have shape {tuple(value.shape)} for {rows} images, not [{rows}, N]")
        if width is not None and value.shape[1] != width:
            raise self._fail(f"its {name} have {value.shape[1]} columns here but {width} on the first batch")
        if not value.is_floating_point():
            raise self._fail(f"its {name} have dtype {value.dtype}, not a float dtype")
        if not torch.isfinite(value).all():
            raise self._fail(f"its {name} contain NaN or infinite values")
        return value

    def _forward(self, batch: torch.Tensor) -> dict[str, torch.Tensor]:
        out = self.module(uint8_to_unit(batch).to(self.device))
        rows, shape = len(batch), self._shape
        if isinstance(out, (tuple, list)):
            if len(out) != 2:
                raise self._fail(f"it returned {len(out)} items, not the pair (features, logits)")
            if shape is not None and shape.logits is None:
                raise self._fail("it returned logits here but none on the first batch")
            return {
                "features": self._check("features", out[0], rows, shape.features if shape else None),
                "logits": self._check("logits", out[1], rows, shape.logits if shape else None),
            }
        if shape is not None and shape.logits is not None:
            raise self._fail("it returned no logits here but did on the first batch")
        return {"features": self._check("features", out, rows, shape.features if shape else None)}

    def __call__(
        self, images: torch.Tensor, *, desc: str = "features", progress: bool = True
    ) -> dict[str, np.ndarray]:
        """uint8 [N, C, H, W] -> ``{"features": float32 [N, D]}`` (+ ``"logits": float32 [N, K]``)."""
        images = check_uint8_images(images)
        return run_in_batches(self._forward, images, batch_size=self.batch_size, desc=desc, progress=progress)


def load_user_extractor(
    spec: str,
    dataset: Dataset | None = None,
    *,
    device: str | torch.device = "cpu",
    progress: bool = True,
    batch_size: int = DEFAULT_BATCH_SIZE,
    probe: torch.Tensor | None = None,
) -> UserExtractor:
    """Import ``spec``'s function, build its module and check it on a first batch of sample images.

    Args:
        spec: ``module:function`` or ``path/to/file.py:function``.
        dataset: its first training images are the sample batch when ``probe`` is not given.
        device: where the module runs.
        progress: unused when loading (no pass is long); kept for the factory signature.
        batch_size: images per forward pass.
        probe: sample images uint8 [n, C, H, W] like those to be extracted (the first
            :data:`PROBE_IMAGES` are used).

    Raises:
        UserExtractorError: import failure, missing function, a function that takes arguments,
            fails, or returns no ``nn.Module``, no sample images, or an output of the wrong
            type or shape on the sample batch.
    """
    batch_size = positive_int("batch_size", batch_size)
    function, source = import_user_function(spec)
    if probe is None:
        if dataset is None:
            raise UserExtractorError(
                f"user extractor {spec!r} is run once on sample images when loaded, to check its output "
                "and learn whether it returns logits: pass dataset= or probe= (uint8 [n, C, H, W])"
            )
        probe = dataset.train.images
    required = _required_parameters(function)
    if required:
        raise UserExtractorError(
            f"user extractor {spec!r}: the function must take no arguments; it requires {', '.join(required)}"
        )
    try:
        module = function()
    except Exception as err:
        raise UserExtractorError(
            f"user extractor {spec!r}: calling it failed: {type(err).__name__}: {err}"
        ) from err
    if not isinstance(module, nn.Module):
        raise UserExtractorError(
            f"user extractor {spec!r}: the function returned a {type(module).__name__}, not a torch.nn.Module"
        )
    return UserExtractor(
        spec,
        module,
        source,
        probe[:PROBE_IMAGES],
        device=torch.device(device),
        batch_size=batch_size,
    )
