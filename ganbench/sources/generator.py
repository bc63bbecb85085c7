"""A user's torch generator as an image source: ``module:function`` or ``path/to/file.py:function``.

The function, called with no arguments, returns ``(module, latent_dim)`` for an unconditional
generator (``module(z)``, z [B, latent_dim] ~ N(0, I)) or ``(module, latent_dim, num_classes)`` for
a class-conditional one (``module(z, labels)``, labels int64 [B]). Either returns images
[B, C, H, W], C in {1, 3}, in [-1, 1] (Tanh), or in [0, 1] when the range ``0,1`` is declared.
An optional checkpoint is a state dict read with ``torch.load(weights_only=True)`` (never
unpickled), or a dict holding one under ``state_dict`` or ``generator``.

Checking builds the module, loads the checkpoint and runs one small batch on the module's own
device (a wrong return value, mismatched weights or a wrong output shape costs nothing);
loading samples ``n`` images with a seed: :func:`ganbench.training.sample` for an unconditional
generator, :func:`ganbench.training.sample_conditional` (balanced labels) for a conditional one,
every batch checked for shape, finiteness and range.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from ganbench.metrics.spec import GeneratorHandle
from ganbench.numerics.checks import integer
from ganbench.sources.generator_output import CheckedOutput, as_signed
from ganbench.sources.spec import LoadedSet, Role, SourceError, SourceSpec, option
from ganbench.sources.subset import checked_n
from ganbench.sources.user_code import describe_exception, resolve_function
from ganbench.training import sample, sample_conditional

DEFAULT_RANGE = "-1,1"
_PROBE = 2  # images drawn when the SPEC is checked


def required_n(text: str, n: int | None) -> int:
    """``n`` for a generator, which makes as many images as asked: it must be given."""
    if n is None:
        raise SourceError(
            f"{text}: a generator makes as many images as asked for; give the number of images n"
        )
    return checked_n(text, n)


def load_state_dict(text: str, module: nn.Module, checkpoint: Path) -> None:
    """Load ``checkpoint`` into ``module`` (strictly: every key must match), on the CPU, without unpickling.

    Raises:
        SourceError: a missing or unreadable file, a file that is not weights, or weights that do not fit.
    """
    if not checkpoint.is_file():
        raise SourceError(
            f"{text}: checkpoint {checkpoint} is not a file; give the path of a saved state dict"
        )
    try:
        state = torch.load(checkpoint, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        found = re.search(r"Unsupported global: GLOBAL (\S+)", str(err))
        what = f"a {found.group(1)} object" if found else "Python objects other than tensors"
        raise SourceError(
            f"{text}: checkpoint {checkpoint} holds {what}, which only full unpickling could read, and "
            "ganbench never unpickles (it can run code); save the weights with "
            "torch.save(module.state_dict(), path)"
        ) from err
    except Exception as err:
        raise SourceError(
            f"{text}: checkpoint {checkpoint} cannot be read as weights ({describe_exception(err)}); "
            "save it with torch.save(module.state_dict(), path)"
        ) from err
    if isinstance(state, Mapping):
        for key in ("state_dict", "generator"):
            if isinstance(state.get(key), Mapping):
                state = state[key]
                break
    if not isinstance(state, Mapping):
        raise SourceError(
            f"{text}: checkpoint {checkpoint} holds a {type(state).__name__}, not a state dict; "
            "save it with torch.save(module.state_dict(), path)"
        )
    try:
        module.load_state_dict(state)
    except (RuntimeError, TypeError, KeyError) as err:
        raise SourceError(
            f"{text}: checkpoint {checkpoint} does not fit the module the function built: {err}"
        ) from err


def module_device(module: nn.Module) -> torch.device:
    """Where ``module``'s first parameter or buffer lives (the CPU for one with neither)."""
    for tensor in (*module.parameters(), *module.buffers()):
        return tensor.device
    return torch.device("cpu")


@dataclass(frozen=True, kw_only=True)
class GeneratorSource(SourceSpec):
    """A user's generator, built, with its checkpoint loaded, checked on one small batch.

    Attributes:
        where: the module (dotted name or .py path) and ``function``: what the SPEC names.
        module: the network the function built (weights loaded).
        latent_dim: size of z.
        num_classes: the classes of a conditional generator, else None.
        value_range: the declared output range, ``-1,1`` (the default) or ``0,1``.
        checkpoint: the weights file loaded into ``module``, absolute, or None.
    """

    where: str
    function: str
    module: nn.Module
    latent_dim: int
    num_classes: int | None
    value_range: str
    checkpoint: Path | None

    def describe(self) -> str:
        kind = f"conditional, {self.num_classes} classes" if self.num_classes else "unconditional"
        weights = f" checkpoint {self.checkpoint}" if self.checkpoint else ""
        return (
            f"generator {self.text}{weights} ({kind}, latent {self.latent_dim}, "
            f"output range {self.value_range})"
        )

    def load(self, *, n: int | None, seed: int, device: torch.device, progress: bool) -> list[LoadedSet]:
        """``n`` images sampled with ``seed`` on ``device`` (conditional: balanced labels)."""
        del progress
        n = required_n(self.text, n)
        module = self.module.to(device)
        checked = as_signed(CheckedOutput(module, self.value_range, f"{self.text} output"), self.value_range)
        try:
            if self.num_classes is None:
                images = sample(checked, n, latent_dim=self.latent_dim, seed=seed, device=device)
                labels = None
            else:
                images, labels = sample_conditional(
                    checked,
                    n,
                    latent_dim=self.latent_dim,
                    num_classes=self.num_classes,
                    seed=seed,
                    device=device,
                )
        except SourceError:
            raise
        except Exception as err:  # the user's code failed on a batch the probe did not try
            raise SourceError(
                f"{self.text}: the generator raised {type(err).__name__} while drawing {n} images "
                f"(seed {seed}): {err}; fix the module (it passed the probe batch, so the failure depends "
                "on z or on the labels)"
            ) from err
        handle = (  # the measures that take a generator take an unconditional one
            GeneratorHandle(as_signed(module, self.value_range), self.latent_dim, torch.device(device))
            if self.num_classes is None
            else None
        )
        notes = [] if self.num_classes is None else [f"conditional, {self.num_classes} balanced classes"]
        if self.value_range != DEFAULT_RANGE:
            notes.append(f"output range {self.value_range}")
        notes.append(f"sample seed {seed}")
        weights = f" checkpoint {self.checkpoint}" if self.checkpoint else ""
        return [
            LoadedSet(
                label=self.function,
                images=images,
                labels=labels,
                num_classes=self.num_classes,
                source=f"generator {self.where}:{self.function}{weights} ({'; '.join(notes)})",
                seed=seed,
                generator=handle,
            )
        ]


def _unpack(text: str, returned: object) -> tuple[nn.Module, int, int | None]:
    """The function's return value as (module, latent_dim, num_classes or None); else SourceError."""
    shape = "(module, latent_dim) or (module, latent_dim, num_classes)"
    if not isinstance(returned, tuple | list) or len(returned) not in (2, 3):
        raise SourceError(f"{text}: the function returned {type(returned).__name__}; it must return {shape}")
    module, latent_dim, *rest = returned
    if not isinstance(module, nn.Module):
        raise SourceError(
            f"{text}: the function returned a {type(module).__name__} as its first item; it must return "
            f"{shape} with a torch.nn.Module first"
        )
    try:
        latent_dim = integer("latent_dim", latent_dim, minimum=1)
        num_classes = integer("num_classes", rest[0], minimum=1) if rest else None
    except ValueError as err:
        raise SourceError(f"{text}: the function must return {shape}; {err}") from None
    return module, latent_dim, num_classes


@torch.no_grad()
def _probe(source: GeneratorSource) -> None:
    """Run a batch of :data:`_PROBE` codes through the generator and check what comes out."""
    device = module_device(source.module)
    z = torch.randn(_PROBE, source.latent_dim, generator=torch.Generator().manual_seed(0)).to(device)
    checked = CheckedOutput(source.module, source.value_range, f"{source.text} output (check batch)")
    source.module.eval()
    try:
        if source.num_classes is None:
            checked(z)
        else:
            checked(z, (torch.arange(_PROBE) % source.num_classes).to(device))
    except SourceError:
        raise
    except Exception as err:
        call = "module(z)" if source.num_classes is None else "module(z, labels)"
        raise SourceError(
            f"{source.text}: {call} with z [{_PROBE}, {source.latent_dim}] raised {describe_exception(err)}; "
            "check latent_dim (and num_classes) against the module"
        ) from err


def parse_generator(
    text: str,
    where: str,
    function: str,
    *,
    is_file: bool,
    role: Role,
    value_range: str | None,
    checkpoint: str | Path | None,
) -> GeneratorSource:
    """Import and call the function, load the checkpoint, check one small batch.

    Raises:
        SourceError: the import, the call, the return value, the checkpoint or the check batch fails.
    """
    built = resolve_function(text, where, function, is_file=is_file)
    try:
        returned = built()
    except Exception as err:
        raise SourceError(f"{text}: calling {function}() raised {describe_exception(err)}") from err
    module, latent_dim, num_classes = _unpack(text, returned)
    weights = None
    if checkpoint is not None:
        weights = Path(checkpoint).expanduser().resolve()
        load_state_dict(f"{text} ({option('checkpoint', role)})", module, weights)
    source = GeneratorSource(
        kind="generator",
        text=text,
        role=role,
        where=str(Path(where).resolve()) if is_file else where,
        function=function,
        module=module,
        latent_dim=latent_dim,
        num_classes=num_classes,
        value_range=value_range or DEFAULT_RANGE,
        checkpoint=weights,
    )
    _probe(source)
    return source
