"""FLD, the Feature Likelihood Divergence: likelihood of held-out data under a mixture on the generated set.

Jiralerspong, Bose, Gemp, Qin, Bachrach & Gidel 2023, "Feature Likelihood Divergence: Evaluating
the Generalization of Generative Models Using Samples" (NeurIPS 2023, arXiv:2302.04440). Follows
their code, github.com/marcojira/fld at commit ffbbf20 (Feb 2024): ``fld/metrics/FLD.py`` and
``fld/MoG.py`` (the package is not on PyPI). Steps:

1. At most ``gen_size`` generated rows (10,000) are kept, drawn without replacement.
2. Every set is standardised by the real (test) set's per-column mean and std (``N - 1``).
3. A mixture of isotropic Gaussians, one per generated row, each with its own variance
   σ_j² = exp(s_j), is fitted to the training split: Adam (lr 0.5) on the mean negative
   log-likelihood over D, in mini-batches of ``batch_size`` rows of the shuffled training split,
   for at most ``epochs`` (50) epochs, stopping when the epoch's mean loss is within 5e-4 of each
   of the previous 5; s_j starts at log((min_i ‖x_i − μ_j‖² + 1e-3) / D) and is clamped to
   [-40, 40] after each step. During the fit only, an extra component (unit weight, next to the
   1/M weights) centred at the training mean, on 0.9 x the distance, with its own fitted variance,
   gives every point some likelihood (theirs: ``ORIGIN_DIST_PROP``).
4. NLL(X) = mean over rows of −log p(x) / D under the fitted mixture (without the extra component).
5. Baseline: the same fit with the mixture centred on n_b = min(M, N_train // 2) rows of a
   shuffle of the training split, fitted to the other training rows; its NLL of the test set.
6. ``fld`` = 100 · (NLL(test) − baseline); ``fld_gap`` = 100 · (NLL(train) − NLL(test)), their
   "generalization gap" (``eval_feat="gap"``): negative when the training rows are likelier than
   the test rows, the more negative the more the generated set copies the training split.

Deviations (ours): every random draw comes from ``numpy.random.default_rng(seed)`` (theirs:
the global ``np.random``), in their order: the generated subset, the fit's shuffle, the baseline's
shuffle, the baseline fit's shuffle; the computation is float64 throughout (theirs: the input
dtype, float32 for features); the gradient is the closed form of their autograd loss and Adam is
written out as ``torch.optim.Adam`` computes it; squared distances are Gram-form float64 (theirs:
``torch.cdist``) and are recomputed block by block each epoch unless the whole fitting matrix
fits in 256 MB (theirs cache it whole below 250,000 rows). The two NLLs of the test set and the
train NLL come from one fit (theirs refits for ``eval_feat="gap"``).

Known failures of the reference, and what happens here:
- negative FLD when the generated set is larger than half the training split
  (marcojira/fld#7): the baseline mixture then has fewer centres than the generated one, so it
  loses by construction; the maintainer's advice was to use as many generated rows as the
  baseline has centres. Here the generated set is cut to min(M, ``gen_size``, N_train // 2) rows
  when the baseline is computed, so both mixtures have the same number of centres; pass a larger
  training split to use more generated rows. FLD can still be negative: the generated mixture
  explains the test set better than half of the training split does.
- NaN when the sets are far apart (marcojira/fld#10; the maintainer: "if the features are too far
  from the reference sets"): the one cause we could reproduce in their code is a column that is
  constant in the test set, whose zero std their standardisation divides by (NaN in every
  distance). Such columns are common: a ReLU unit that is dead on every real image gives one
  (the domain classifier's 128-d features have several). Here a constant column is centred and
  not scaled (its scale is 1, as scikit-learn's ``StandardScaler`` does for a zero variance), so
  the value is finite and a generated row that varies there is still penalised. Distance alone did not
  give NaN in their float32 code (a shift by 1e6 standard deviations gives a finite FLD of about
  1400); here the arithmetic is float64 with log-sum-exps shifted by each row's largest term, and
  a non-finite NLL raises ValueError rather than returning NaN.

Shapes: real (test) [N, D], fake [M, D], train [N_train, D]. Memory: O((M + block) · D) for the
centres and one block of rows, and [1024, M] float64 blocks of distances (the 256 MB cache aside).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.blocks import chunks
from ganbench.numerics.checks import as_features, as_pair, check_seed, positive_int, real_number, same_width
from ganbench.numerics.resampling import take_rows

_ROWS = 1024  # rows per distance block
_CACHE_ENTRIES = 1 << 25  # float64 squared distances kept across epochs (256 MB)
_INIT_OFFSET = 1e-3  # their init: s_j = log((min distance² + 1e-3) / D)
_ORIGIN_SCALE = (1 - 0.1) ** 2  # their ORIGIN_DIST_PROP = 0.1, applied to squared distances
_CLAMP = 40.0  # their clamp of the log variances
_BETAS = (0.9, 0.999)  # torch.optim.Adam's defaults
_ADAM_EPS = 1e-8
_PATIENCE = 5  # epochs the loss must stay within _TOLERANCE of
_TOLERANCE = 5e-4
_LOG_2PI = math.log(2 * math.pi)


class _Scaled:
    """Rows of a feature matrix, standardised on demand, block by block (float64 torch)."""

    def __init__(self, x: np.ndarray, mean: np.ndarray, std: np.ndarray) -> None:
        self.x, self.mean, self.std = x, mean, std

    def rows(self, index: np.ndarray | slice) -> torch.Tensor:
        return torch.from_numpy((np.asarray(self.x[index], dtype=np.float64) - self.mean) / self.std)

    def __len__(self) -> int:
        return self.x.shape[0]


def _squared(xb: torch.Tensor, centres: torch.Tensor, sq_c: torch.Tensor) -> torch.Tensor:
    d2 = (xb * xb).sum(dim=1, keepdim=True) + sq_c.unsqueeze(0) - 2.0 * (xb @ centres.T)
    return d2.clamp_(min=0.0)


def _component_logs(d2: torch.Tensor, s: torch.Tensor, dim: int) -> torch.Tensor:
    """log N(x_i | μ_j, exp(s_j) I) for squared distances d2 [B, M] and log variances s [M]."""
    return -0.5 * d2 * torch.exp(-s) - 0.5 * dim * s - 0.5 * dim * _LOG_2PI


class _Mixture:
    """Isotropic Gaussians on ``centres`` [M, D] (standardised), equal weights 1 / M."""

    def __init__(self, centres: torch.Tensor) -> None:
        self.centres = centres
        self.sq_c = (centres * centres).sum(dim=1)
        self.m, self.dim = centres.shape
        self.s = torch.zeros(self.m, dtype=torch.float64)

    def distances(self, xb: torch.Tensor) -> torch.Tensor:
        return _squared(xb, self.centres, self.sq_c)

    def nll(self, data: _Scaled) -> np.ndarray:
        """−log p(x) / D per row of ``data``, float64 [N]."""
        out = np.empty(len(data))
        for rows in chunks(len(data), _ROWS):
            logs = _component_logs(self.distances(data.rows(rows)), self.s, self.dim) - math.log(self.m)
            out[rows] = (-torch.logsumexp(logs, dim=1) / self.dim).numpy()
        if not np.isfinite(out).all():
            raise ValueError(
                "fld: a log-likelihood is not finite (the sets are too far apart for float64); "
                "check that real, fake and train are features of the same extractor"
            )
        return out

    def fit(self, data: _Scaled, order: np.ndarray, *, epochs: int, lr: float, batch_size: int) -> None:
        """Fit the log variances to the rows of ``data`` taken in ``order`` (step 3 of the module doc)."""
        dim, m, n = self.dim, self.m, order.shape[0]
        # mini-batches of the shuffled rows, each cut into blocks of at most _ROWS rows
        batches = [
            [order[b][part] for part in chunks(b.stop - b.start, _ROWS)] for b in chunks(n, batch_size)
        ]
        blocks = [idx for batch in batches for idx in batch]
        cache = n * m <= _CACHE_ENTRIES
        mean = torch.zeros(dim, dtype=torch.float64)
        min_d2 = torch.full((m,), math.inf, dtype=torch.float64)
        cached: list[torch.Tensor] = []
        for idx in blocks:
            xb = data.rows(idx)
            mean += xb.sum(dim=0)
            d2 = self.distances(xb)
            min_d2 = torch.minimum(min_d2, d2.min(dim=0).values)
            if cache:
                cached.append(d2)
        mean /= n
        origin = [_ORIGIN_SCALE * ((data.rows(idx) - mean) ** 2).sum(dim=1) for idx in blocks]
        s = torch.log((min_d2 + _INIT_OFFSET) / dim)
        s0 = torch.zeros(1, dtype=torch.float64)
        state = [torch.zeros(m, dtype=torch.float64) for _ in range(2)]
        state0 = [torch.zeros(1, dtype=torch.float64) for _ in range(2)]
        losses: list[float] = []
        step = 0
        for epoch in range(epochs):
            epoch_losses = []
            k = 0
            for batch in batches:
                grad = torch.zeros(m, dtype=torch.float64)
                grad0 = torch.zeros(1, dtype=torch.float64)
                total, rows = 0.0, 0
                for idx in batch:
                    d2 = cached[k] if cache else self.distances(data.rows(idx))
                    od2 = origin[k].unsqueeze(1)
                    k += 1
                    logs = _component_logs(d2, s, dim) - math.log(m)
                    log0 = _component_logs(od2, s0, dim)
                    ll = torch.logsumexp(torch.cat([logs, log0], dim=1), dim=1, keepdim=True)
                    # d ll_i / d s_j = resp_ij (d_ij exp(-s_j) / 2 - D / 2)
                    grad += (torch.exp(logs - ll) * (0.5 * d2 * torch.exp(-s) - 0.5 * dim)).sum(dim=0)
                    grad0 += (torch.exp(log0 - ll) * (0.5 * od2 * torch.exp(-s0) - 0.5 * dim)).sum(dim=0)
                    total += float(ll.sum())
                    rows += idx.shape[0]
                # the batch loss is -mean(ll) / D
                epoch_losses.append(-total / (rows * dim))
                step += 1
                s = _adam(s, grad / (-rows * dim), state, step, lr).clamp_(-_CLAMP, _CLAMP)
                s0 = _adam(s0, grad0 / (-rows * dim), state0, step, lr)
            losses.append(sum(epoch_losses) / len(epoch_losses))
            if (
                epoch > _PATIENCE
                and max(abs(losses[-1] - losses[-j]) for j in range(1, _PATIENCE + 1)) < _TOLERANCE
            ):
                break
        self.s = s


def _adam(p: torch.Tensor, g: torch.Tensor, state: list[torch.Tensor], step: int, lr: float) -> torch.Tensor:
    """One step of ``torch.optim.Adam`` (default betas and eps, no decay); ``state`` = [m, v], in place."""
    b1, b2 = _BETAS
    m, v = state
    m.mul_(b1).add_(g, alpha=1 - b1)
    v.mul_(b2).addcmul_(g, g, value=1 - b2)
    bias1, bias2 = 1 - b1**step, 1 - b2**step
    denom = (v.sqrt() / math.sqrt(bias2)).add_(_ADAM_EPS)
    return p - (lr / bias1) * m / denom


def _check(
    real: object, fake: object, train: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """real, fake, train checked (same D; real has 2+ rows), and the real set's column mean and std."""
    r, f = as_pair(real, fake, min_real=2, keep_float32=True)
    t = as_features("train", train, min_rows=2)
    same_width(real=r, train=t)
    mean = r.mean(axis=0, dtype=np.float64)
    std = r.std(axis=0, dtype=np.float64, ddof=1)
    std[std == 0] = 1.0  # a column constant in the test set: centred, not scaled (NaN in theirs, fld#10)
    return r, f, t, mean, std


def fld_samples(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    train: np.ndarray,
    gen_size: int = 10_000,
    epochs: int = 50,
    lr: float = 0.5,
    batch_size: int = 10_000,
    baseline_nll: float | None = None,
    seed: int = 0,
) -> PerSample:
    """Per-row NLLs of the test set under the fitted mixture (float64 [N]); a resample averages the
    drawn rows. Arguments as :func:`fld`."""
    gen_size = positive_int("gen_size", gen_size)
    epochs = positive_int("epochs", epochs)
    lr = real_number("lr", lr, low=0.0, open_low=True)
    batch_size = positive_int("batch_size", batch_size)
    if baseline_nll is not None:
        baseline_nll = real_number("baseline_nll", baseline_nll)
    seed = check_seed(seed)
    r, f, t, mean, std = _check(real, fake, train)
    rng = np.random.default_rng(seed)
    keep = (
        min(f.shape[0], gen_size) if baseline_nll is not None else min(f.shape[0], gen_size, t.shape[0] // 2)
    )
    gen_rows = rng.choice(f.shape[0], keep, replace=False) if keep < f.shape[0] else np.arange(keep)
    test, train_set = _Scaled(r, mean, std), _Scaled(t, mean, std)
    settings = {"epochs": epochs, "lr": lr, "batch_size": batch_size}

    mixture = _Mixture(_Scaled(f, mean, std).rows(np.sort(gen_rows)))
    mixture.fit(train_set, rng.choice(t.shape[0], t.shape[0], replace=False), **settings)
    test_nll = mixture.nll(test)
    train_nll = float(mixture.nll(train_set).mean())
    if baseline_nll is None:
        split = rng.choice(t.shape[0], t.shape[0], replace=False)
        base = _Mixture(train_set.rows(split[:keep]))
        rest = split[keep:]
        base.fit(train_set, rest[rng.choice(rest.shape[0], rest.shape[0], replace=False)], **settings)
        baseline_nll = float(base.nll(test).mean())
    baseline = baseline_nll

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        nll = float(take_rows(test_nll, real_rows).mean())
        return {"fld": 100.0 * (nll - baseline), "fld_gap": 100.0 * (train_nll - nll)}

    return PerSample(n_real=r.shape[0], n_fake=0, reduce=reduce)


@metric(
    "fld",
    space="features",
    directions={"fld": "lower", "fld_gap": "higher"},
    aspects={"fld": ("fidelity", "diversity", "memorisation"), "fld_gap": ("memorisation",)},
    reference="Jiralerspong et al. 2023 (arXiv:2302.04440); marcojira/fld fld/metrics/FLD.py and fld/MoG.py",
    extra_inputs=("train",),
    min_samples=2,
    notes=(
        "one fit serves fld and fld_gap; the generated set is cut to min(M, gen_size, N_train // 2) rows so "
        "the baseline mixture has as many centres (marcojira/fld#7); float64; seeded draws"
    ),
    interval="per-sample",
    per_sample=fld_samples,
    interval_note=(
        "resamples the test rows' NLLs; the fitted variances, the generated set, the train NLL and the "
        "baseline are fixed, so the spread from the generated set and from the fits is not in the interval"
    ),
)
def fld(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    train: np.ndarray,
    gen_size: int = 10_000,
    epochs: int = 50,
    lr: float = 0.5,
    batch_size: int = 10_000,
    baseline_nll: float | None = None,
    seed: int = 0,
) -> dict[str, float]:
    """Feature Likelihood Divergence of the generated set, and its train/test generalisation gap.

    Args:
        real: held-out real features [N, D], N >= 2: the test set (and the standardisation).
        fake: generated features [M, D]: the mixture's centres.
        train: the training split's features [N_train, D], N_train >= 2: the variances are
            fitted to it (it must be the data the generator trained on, for ``fld_gap``).
        gen_size: the most generated rows used (theirs 10,000); also at most N_train // 2 when
            the baseline is computed (see the module docstring).
        epochs, lr, batch_size: the fit (theirs 50, 0.5, 10,000).
        baseline_nll: a fixed baseline NLL (theirs: ``baseline_nlls.json`` for their protocols);
            ``None`` computes it from the training split.
        seed: seeds the generated subset and the shuffles.

    Returns:
        ``fld``: 100 · (NLL(test) − baseline), lower is better, about 0 for a generator as good as
        half of the training split, negative when better; ``fld_gap``: 100 · (NLL(train) −
        NLL(test)), their generalisation gap, 0 or above for a generator that does not copy its
        training data, negative (to −1000 and below) for one that does.
    """
    return fld_samples(
        real=real,
        fake=fake,
        train=train,
        gen_size=gen_size,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        baseline_nll=baseline_nll,
        seed=seed,
    ).value()
