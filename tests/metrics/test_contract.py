"""The measure contract, over every registered measure: a new one is tested without editing a list.

For each name in ``METRICS.names()``:

- **keys**: every key it returns is declared in ``spec.directions`` (or is ``<key>_std`` of a
  declared key), and every declared key starts with one of the words of the name;
- **seeds**: the same seed gives the same value; another seed (where there is one) still runs;
- **identical sets**: for every key that compares the two sets, a copy of the real set scores
  at least as well, per the key's direction, as a clearly different generated set;
- **intervals**: every measure declares how ``--bootstrap`` makes its interval (with a note
  where the method needs one); a per-sample measure's :class:`PerSample` gives the measure's
  value, its reduction of the identity resample (every unit once, by index) equals that value
  to 1e-12 relative, and a resample yields every resampled key, finite.

Which keys compare two sets is found, not listed: a key that stays the same when the real set
is replaced by another sample of the same distribution describes the generated set alone (the
Inception Score, ``sharpness_fake``); one that stays the same when the generated set is replaced
describes the real set or the generator (``sharpness_real``, ``recon_error``). Only keys that
move with both are held to the identical-sets rule.

Inputs per space: features [N, 16] Gaussian, logits [N, 10], pixels [N, 1, 28, 28] MNIST digits
in [0, 1]; ``train`` another sample of the same space, ``class_prior`` uniform, ``generator`` a
tiny decoder; class labels the decile of a row's mean value, and a ``classifier`` that predicts it;
the run-level measure gets two toy players. Parameters that only buy accuracy
(``steps``, ``permutations``, ...) are lowered by name, so a new measure with such a parameter
is fast here too.
"""

from __future__ import annotations

import inspect
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import torch
from helpers import FAST_PARAMS
from torch import nn

from ganbench.metrics.spec import (
    INTERVAL_METHODS,
    ClassifierHandle,
    GeneratorHandle,
    MetricSpec,
    PerSample,
    Player,
)
from ganbench.numerics.memo import clear_memos
from ganbench.registry import METRICS

N = 160  # rows per set: enough for k-NN, k-means cells and bootstrap-free estimates, and fast
CPU = torch.device("cpu")
LATENT = 8


CLASSES = 10

#: Where FAST_PARAMS is too little for the identical-sets rule to be decided by more than rounding:
#: GAN-train's classifiers stay at chance after 5 steps (copy vs different set: 5 test images apart);
#: after 20 they are about 30 images apart, a margin no CPU's rounding can cross. Adversarial
#: accuracy trains the same classifier on the generated images: the same margin.
EFFORT: dict[str, dict[str, object]] = {"gan-train": {"steps": 20}, "adversarial-accuracy": {"steps": 20}}


def brightness_labels(x: np.ndarray) -> np.ndarray:
    """Class labels of a set: the decile, within the set, of each row's mean value; so a copy of a
    set gets its labels, and every set has every class equally often (even a shifted one)."""
    ranks = np.argsort(np.argsort(np.asarray(x).reshape(len(x), -1).mean(axis=1), kind="stable"))
    return ranks * CLASSES // len(x)


class BrightnessClassifier(nn.Module):
    """images [B, C, H, W] in [-1, 1] -> (features, logits [B, 10]): the nearest of the ``train``
    decile centres of the mean pixel value (in [0, 1]); on a sample like ``train`` it mostly agrees
    with :func:`brightness_labels`."""

    def __init__(self, train: np.ndarray) -> None:
        super().__init__()
        means = train.reshape(len(train), -1).mean(axis=1)
        centres = np.quantile(means, (np.arange(CLASSES) + 0.5) / CLASSES)
        self.register_buffer("centres", torch.tensor(centres, dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean = ((x + 1) / 2).flatten(1).mean(dim=1, keepdim=True)
        return mean, -(mean - self.centres).abs()


class Decoder(nn.Module):
    """z [B, 8] -> images [B, 1, 28, 28] in [-1, 1]: a fixed random linear map and tanh."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        weight = torch.randn(LATENT, 28 * 28, generator=torch.Generator().manual_seed(seed))
        self.weight = nn.Parameter(0.3 * weight)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.tanh(z @ self.weight).view(-1, 1, 28, 28)


class LinearJudge(nn.Module):
    """images [B, 1, 28, 28] -> scores [B]: a fixed random linear function."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(28 * 28, generator=torch.Generator().manual_seed(seed)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.flatten(1) @ self.weight


def handle(seed: int) -> GeneratorHandle:
    return GeneratorHandle(Decoder(seed).eval(), LATENT, CPU)


@dataclass(frozen=True)
class Space:
    """Four samples of one space: ``real``, ``other`` and ``third`` from the same distribution (three
    independent samples), ``train`` likewise, and ``bad``: clearly different, in where its samples lie
    and in how many distinct ones there are (a few, repeated)."""

    real: np.ndarray
    other: np.ndarray
    third: np.ndarray
    train: np.ndarray
    bad: np.ndarray


def collapsed(x: np.ndarray, distinct: int, seed: int) -> np.ndarray:
    """``len(x)`` rows drawn from the first ``distinct`` rows of ``x``: a mode-collapsed set."""
    return x[np.random.default_rng(seed).integers(0, distinct, len(x))]


@pytest.fixture(scope="module")
def spaces(mnist: np.ndarray) -> dict[str, Space]:
    def gauss(seed: int, shift: float = 0.0) -> np.ndarray:
        return np.random.default_rng(seed).standard_normal((N, 16)) + shift

    def logits(seed: int, classes: int = 10, confidence: float = 5.0) -> np.ndarray:
        rng = np.random.default_rng(seed)
        out = rng.standard_normal((N, 10))
        out[np.arange(N), rng.integers(0, classes, N)] += confidence
        return out

    noise = np.random.default_rng(9).random((N, 1, 28, 28), dtype=np.float32)
    digits = [mnist[i * N : (i + 1) * N] for i in range(4)]
    pixels = Space(*digits, bad=collapsed(noise, 10, 1))
    return {
        "features": Space(gauss(0), gauss(1), gauss(2), gauss(3), collapsed(gauss(4, shift=2.0), 20, 1)),
        "logits": Space(logits(0), logits(1), logits(2), logits(3), collapsed(logits(4, 2, 1.0), 20, 1)),
        "pixels": pixels,
        "models": pixels,
    }


def call(
    spec: MetricSpec, space: Space, real: np.ndarray, fake: np.ndarray, samples: bool = False, **params: Any
) -> Any:
    """The measure on (real, fake) with its extra inputs, fast parameters and empty memos (with
    ``samples``: its :class:`PerSample` instead of its values)."""
    clear_memos()
    extras = {
        "train": space.train,
        "class_prior": np.full(10, 0.1),
        "generator": handle(0),
        "real_labels": brightness_labels(real),
        "fake_labels": brightness_labels(fake),
        "train_labels": brightness_labels(space.train),
        "num_classes": CLASSES,
        "classifier": ClassifierHandle(BrightnessClassifier(space.train).eval(), CLASSES, CPU),
    }
    fast = {k: v for k, v in FAST_PARAMS.items() if k in spec.defaults} | EFFORT.get(spec.name, {})
    inputs = {k: extras[k] for k in spec.extra_inputs} | fast | params
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. fid-inf on small sets says its extrapolation is rough
        return (spec.samples if samples else spec)(real=real, fake=fake, **inputs)


def call_run(spec: MetricSpec, space: Space, **params: Any) -> dict:
    clear_memos()
    players = {"a": Player(handle(1), LinearJudge(1)), "b": Player(handle(2), LinearJudge(2))}
    fast = {k: v for k, v in FAST_PARAMS.items() if k in spec.defaults}
    return spec(real=space.real, players=players, **{**fast, **params})


def check_keys(spec: MetricSpec, out: dict[str, float]) -> None:
    declared = set(spec.directions)
    for key, value in out.items():
        assert key in declared or (key.endswith("_std") and key[: -len("_std")] in declared), key
        assert isinstance(value, float) and not math.isnan(value), (key, value)
    words = tuple(spec.name.replace("-", "_").split("_"))
    for key in declared:
        assert key.startswith(words), f"{key} does not start with one of {words}"


def at_least_as_good(a: float, b: float, direction: object, tol: float) -> bool:
    """Is ``a`` at least as good as ``b`` for a key with this direction, up to ``tol``?"""
    if direction == "lower":
        return a <= b + tol
    if direction == "higher":
        return a >= b - tol
    assert isinstance(direction, float), direction
    return abs(a - direction) <= abs(b - direction) + tol


def names() -> list[Any]:
    """Every registered measure; those that optimise something (a ``steps`` parameter) are slow."""
    return [
        pytest.param(n, marks=pytest.mark.slow) if "steps" in METRICS[n].defaults else n
        for n in METRICS.names()
    ]


def close(values: dict) -> Any:
    """The same seed on the same machine: equal up to a last-bit difference of a threaded reduction."""
    return pytest.approx(values, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name", names())
def test_measure_contract(name: str, spaces: dict[str, Space]) -> None:
    spec = METRICS[name]
    space = spaces[spec.space]

    if spec.level == "run":
        out = call_run(spec, space)
        assert len(out) == 2
        for values in out.values():
            check_keys(spec, values)
        assert call_run(spec, space) == {p: close(v) for p, v in out.items()}  # same seed, same value
        if "seed" in spec.defaults:
            assert set(call_run(spec, space, seed=1)) == set(out)
        return

    # keys, and the same value for the same seed
    base = call(spec, space, space.real, space.other)
    check_keys(spec, base)
    assert call(spec, space, space.real, space.other) == close(base)
    if "seed" in spec.defaults:
        check_keys(spec, call(spec, space, space.real, space.other, seed=1))

    # Which keys compare the two sets: they move when the real set is replaced (by another sample,
    # or by the clearly different set: a count or a p-value may not move for a mere resample) and
    # when the generated set is replaced likewise.
    copy = call(spec, space, space.real, space.real.copy())
    bad = call(spec, space, space.real, space.bad)
    real_moved = [call(spec, space, space.third, space.other), call(spec, space, space.bad, space.other)]
    fake_moved = [call(spec, space, space.real, space.third), bad]
    runs = [base, copy, *real_moved, *fake_moved]
    compares = [
        k
        for k in spec.directions
        if all(k in out for out in runs)  # a key may be left out, e.g. an interval's unbounded end
        and any(out[k] != base[k] for out in real_moved)
        and any(out[k] != base[k] for out in fake_moved)
    ]

    # Identical sets: a copy is at least as good as a clearly different set, up to the key's own
    # sampling noise at this size, |copy - independent sample|. Today one key needs it:
    # memorization_copy_share is about its quantile (0.01), not 0, for any sample of the real
    # distribution, and 0 for a set far from the training data, which "lower" does not say.
    for key in compares:
        tol = abs(copy[key] - base[key]) + 1e-9 * (1 + abs(bad[key]))
        assert at_least_as_good(copy[key], bad[key], spec.directions[key], tol), (
            key,
            spec.directions[key],
            {"copy": copy[key], "independent": base[key], "different": bad[key]},
        )


@pytest.mark.parametrize("name", METRICS.names())
def test_interval_method_is_declared(name: str) -> None:
    spec = METRICS[name]
    assert spec.interval in INTERVAL_METHODS
    if spec.interval != "recompute":
        assert spec.interval_note, "per-sample and none say what the interval rests on, or why there is none"
    if spec.level == "run":
        assert spec.interval == "none"
    assert (spec.per_sample is not None) == (spec.interval == "per-sample")
    if spec.per_sample is not None:
        assert inspect.signature(spec.per_sample).parameters == inspect.signature(spec.fn).parameters


def per_sample_names() -> list[Any]:
    return [p for p in names() if METRICS[p if isinstance(p, str) else p.values[0]].interval == "per-sample"]


@pytest.mark.parametrize("name", per_sample_names())
def test_per_sample_reduction_agrees_with_the_value(name: str, spaces: dict[str, Space]) -> None:
    spec = METRICS[name]
    space = spaces[spec.space]
    value = call(spec, space, space.real, space.other)
    samples = call(spec, space, space.real, space.other, samples=True)
    assert isinstance(samples, PerSample)
    assert spec.checked(samples.value()) == close(value)  # the value comes from the same code

    def identity(n: int) -> np.ndarray | None:
        return np.arange(n) if n else None

    once = samples.reduce(identity(samples.n_real), identity(samples.n_fake))
    resampled = set(spec.directions) & set(value) - set(samples.fixed)
    assert resampled and resampled <= set(once)
    # KID's value comes from float32 Gram tiles (shared with the k-NN measures), its resamples from
    # float64 kernel matrices: they agree to float32 rounding of the kernel means (about 1e-8 here).
    tolerance = {"rel": 1e-5, "abs": 1e-7} if name == "kid" else {"rel": 1e-12, "abs": 1e-12}
    for key in once:
        assert once[key] == pytest.approx(value[key], **tolerance), key

    rng = np.random.default_rng(0)
    draw = {n: rng.integers(0, n, n) if n else None for n in (samples.n_real, samples.n_fake)}
    replicate = samples.reduce(draw[samples.n_real], draw[samples.n_fake])
    check_keys(spec, replicate)
    assert resampled <= set(replicate)
