"""α-precision, β-recall and authenticity: sample-level fidelity, diversity and memorisation.

Alaa, van Breugel, Saveliev & van der Schaar 2022, "How Faithful is your Synthetic Data?
Sample-level Metrics for Evaluating and Auditing Generative Models", ICML 2022, arXiv:2102.08921.
Two measures share this file:

- ``alpha-beta`` -> ``alpha_precision``, ``beta_recall``: real [N, D] (held-out features) against
  fake [M, D]. Matches the "naive" variant of synthcity's ``AlphaPrecision.metrics(X, X_syn,
  emb_center=None)`` (synthcity 0.2.12, ``synthcity/metrics/eval_statistical.py``): its
  ``Delta_precision_alpha`` and ``Delta_coverage_beta``, which synthcity reports as
  ``delta_precision_alpha_naive`` / ``delta_coverage_beta_naive``.
- ``authenticity`` -> ``authenticity``: fake [M, D] against the training features ``train``
  [N_train, D]. The share of generated samples judged authentic, as the corrected reference code
  computes it (``compute_alpha_precision`` in ``metrics/evaluation.py`` of the authors'
  DOMIAS code, github.com/holarissun/DOMIAS, commit 3361ed3; the ``boris-new`` branch of
  ahmedmalaa/evaluating-generative-models).

Definitions (distances Euclidean; ``c`` = mean of the real rows, ``c̃`` = mean of the generated
rows; L = ``alpha_levels`` levels α_k = linspace(0, 1, L)):

1. α-precision curve: P(α_k) = share of generated rows with ‖y_j − c‖ <= r_k, r_k = the α_k
   quantile (numpy's linear interpolation) of ‖x_i − c‖ over the real rows: the real α-support is
   the ball of real mass α around c.
2. β-recall curve: for each real row x_i, y(i) its nearest generated row and d_i its distance to
   its nearest other real row; x_i counts at level β_k when ‖x_i − y(i)‖ <= d_i and
   ‖y(i) − c̃‖ <= s_k, s_k the β_k quantile of ‖y(i) − c̃‖ over the real rows. R(β_k) = share of
   real rows that count.
3. The scalars are the areas between each curve and the diagonal, as synthcity normalises them:
   ``alpha_precision = 1 − Σ_k |α_k − P(α_k)| / Σ_k α_k``, likewise ``beta_recall``; 1 for a
   curve on the diagonal. (The authors' ``metrics/evaluation.py`` writes ``1 − 2 Σ_k |α_k − P(α_k)|
   Δα``; its deficit is 30/29 of synthcity's for L = 30. Both curves rise with α, so the deficit
   is at most Σ α_k and the scalars lie in [0, 1]; a rounding below 0 is clipped to 0.)
4. Authenticity: for each generated row y_j, t(j) its nearest training row and d_t(j) the distance
   from that training row to its nearest other training row; y_j is authentic when
   ``‖y_j − x_t(j)‖ > d_t(j)`` (a copy of a training row, at distance 0, never is).
   ``authenticity`` = share of authentic generated rows.

Deviations from the references, each on purpose:

- No one-class embedding. The paper and synthcity's default (``authenticity_OC``,
  ``delta_*_OC``) first train a Deep SVDD one-class network on the real data and evaluate in its
  embedding with its centre. Training a network per evaluation adds an optimisation with its own
  seed, hyperparameters (synthcity's OneClassLayer: 4 layers of 32 units, 1000 epochs, centre
  10·1) and failure modes to every score, and the features here already come from an extractor;
  this is synthcity's "naive" variant on the extractor's features. synthcity's naive path also
  min-max scales both sets with a scaler fitted on the real set (``_normalize_covariates``, for
  tabular columns); here the features are used as given, like every other feature-space measure.
- Authenticity against ``train``, per generated row. synthcity (and the authors' main branch)
  compute it per *real* row, as ``real_to_real[real_to_synth_args] < real_to_synth``: a real row's
  nearest-generated distance against the nearest-real distance of the real row that has the
  generated row's index, which only runs when N = M and then mixes unrelated rows. The fixed code
  and the paper's authenticity classifier judge each generated row by its nearest real row, as
  here. The paper's "real" data is the training data a model could memorise; a
  held-out set was never seen by the generator, so here it is ``train``.
- N and M may differ (synthcity refuses N ≠ M, which its authenticity line needs).
- Nearest neighbours are ganbench's exact canonical ones (:mod:`ganbench.numerics.distances`);
  a row with two equally near neighbours takes the lower index (scikit-learn's is unspecified),
  which matters only for exact ties. Distances to the centres are canonical too (float64).

Memory: the k-NN passes are tiled (:mod:`ganbench.numerics.distances`); the rest is O(N + M).
"""

from __future__ import annotations

import numpy as np
import torch

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.blocks import chunks
from ganbench.numerics.checks import as_features, as_pair, integer, same_width
from ganbench.numerics.distances import (
    canonical_distances,
    kth_neighbour_distance,
    nearest_neighbours,
)
from ganbench.numerics.resampling import take_rows

_CENTRE_ROWS = 1024  # rows per block of the distances to a centre


def distances_to(x: np.ndarray, point: np.ndarray, *, device: str | torch.device = "cpu") -> np.ndarray:
    """Canonical distance of each row of ``x`` [N, D] to ``point`` [D]: float64 [N], in row blocks."""
    out = np.empty(x.shape[0])
    for rows in chunks(x.shape[0], _CENTRE_ROWS):
        block = x[rows]
        out[rows] = canonical_distances(block, np.broadcast_to(point, block.shape), device=device)
    return out


def curve_area(alphas: np.ndarray, curve: np.ndarray) -> float:
    """``1 − Σ_k |α_k − curve_k| / Σ_k α_k`` (synthcity's normalisation), clipped below at 0."""
    return max(0.0, float(1 - np.sum(np.abs(np.array(alphas) - np.array(curve))) / np.sum(alphas)))


def count_within(values: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """For each radius, how many of ``values`` [n] are <= it: int64 [len(radii)]."""
    return np.searchsorted(np.sort(values), radii, side="right")


def alpha_beta_samples(
    *, real: np.ndarray, fake: np.ndarray, alpha_levels: int = 30, device: str | torch.device = "cpu"
) -> PerSample:
    """Per-row quantities on the full sets; a resample recomputes the quantiles and curves from them.

    Real row i: its distance to the real centre, and its nearest generated row's distance to the
    generated centre together with whether that row lies within x_i's nearest-real distance.
    Generated row j: its distance to the real centre. Arguments as :func:`alpha_beta`.
    """
    levels = integer("alpha_levels", alpha_levels, minimum=2)
    r, f = as_pair(real, fake, min_real=2, keep_float32=True)
    centre = np.mean(r, axis=0, dtype=np.float64)
    real_to_centre = distances_to(r, centre, device=device)
    fake_to_centre = distances_to(f, centre, device=device)
    real_to_real = kth_neighbour_distance(r, 1, device=device)
    to_fake = nearest_neighbours(r, f, 1, device=device)
    nearest = to_fake.indices[:, 0]
    near_enough = to_fake.distances[:, 0] <= real_to_real
    fake_centre = np.mean(f, axis=0, dtype=np.float64)
    nearest_to_fake_centre = distances_to(f, fake_centre, device=device)[nearest]
    alphas = np.linspace(0, 1, levels)

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        radii = np.quantile(take_rows(real_to_centre, real_rows), alphas)
        drawn = take_rows(fake_to_centre, fake_rows)
        precision = count_within(drawn, radii) / drawn.shape[0]
        spread = take_rows(nearest_to_fake_centre, real_rows)
        counted = spread[take_rows(near_enough, real_rows)]
        recall = count_within(counted, np.quantile(spread, alphas)) / spread.shape[0]
        return {"alpha_precision": curve_area(alphas, precision), "beta_recall": curve_area(alphas, recall)}

    return PerSample(n_real=r.shape[0], n_fake=f.shape[0], reduce=reduce)


@metric(
    "alpha-beta",
    space="features",
    directions={"alpha_precision": "higher", "beta_recall": "higher"},
    aspects={"alpha_precision": ("fidelity",), "beta_recall": ("diversity",)},
    reference=(
        "Alaa et al. 2022 (arXiv:2102.08921); synthcity AlphaPrecision.metrics naive variant "
        "(delta_precision_alpha_naive, delta_coverage_beta_naive)"
    ),
    runtime=("device",),
    notes=(
        "naive variant: no one-class (Deep SVDD) embedding, centre = mean of the real features; no "
        "min-max scaling of the features; N and M may differ; synthcity's area normalisation "
        "1 - sum|alpha - curve| / sum(alpha)"
    ),
    interval="per-sample",
    per_sample=alpha_beta_samples,
    interval_note=(
        "resamples per-row distances fixed on the full sets: the two centres and every nearest "
        "neighbour (nearest generated row, nearest other real row) are held fixed; the quantiles "
        "(radii) and curves are recomputed on each resample"
    ),
)
def alpha_beta(
    *, real: np.ndarray, fake: np.ndarray, alpha_levels: int = 30, device: str | torch.device = "cpu"
) -> dict[str, float]:
    """α-precision and β-recall (the curves' areas against the diagonal; see the module docstring).

    Args:
        real: features [N, D], N >= 2 (held-out real data).
        fake: features [M, D], M >= 1.
        alpha_levels: L, the number of levels α_k = linspace(0, 1, L) (30 in every reference).
        device: where the nearest-neighbour tiles are computed (runtime; the value does not
            depend on it).

    Returns:
        ``{"alpha_precision", "beta_recall"}``, both in [0, 1], higher is better: 1 when the
        generated set's mass sits in the real α-supports as the real mass does (and likewise for
        recall); a generated set far from the real data has ``alpha_precision`` 0.
    """
    return alpha_beta_samples(real=real, fake=fake, alpha_levels=alpha_levels, device=device).value()


def authenticity_samples(
    *, real: np.ndarray, fake: np.ndarray, train: np.ndarray, device: str | torch.device = "cpu"
) -> PerSample:
    """Whether each generated row is authentic (bool [M]); a resample's authenticity is the share of
    its drawn generated rows. Arguments as :func:`authenticity`."""
    del real  # authenticity is about the data the generator was trained on
    t = as_features("train", train, min_rows=2)
    f = as_features("fake", fake)
    same_width(train=t, fake=f)
    train_to_train = kth_neighbour_distance(t, 1, device=device)
    to_train = nearest_neighbours(f, t, 1, device=device)
    authentic = train_to_train[to_train.indices[:, 0]] < to_train.distances[:, 0]

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        return {"authenticity": float(np.mean(take_rows(authentic, fake_rows)))}

    return PerSample(n_real=0, n_fake=f.shape[0], reduce=reduce)


@metric(
    "authenticity",
    space="features",
    directions={"authenticity": "higher"},
    aspects={"authenticity": ("memorisation",)},
    reference=(
        "Alaa et al. 2022 (arXiv:2102.08921), authenticity per generated sample as "
        "holarissun/DOMIAS metrics/evaluation.py (the authors' corrected compute_alpha_precision)"
    ),
    extra_inputs=("train",),
    runtime=("device",),
    notes=(
        "against the training features (what a generator can memorise), per generated row; synthcity's "
        "authenticity (per real row, with a mismatched index) is not reproduced; no one-class embedding"
    ),
    interval="per-sample",
    per_sample=authenticity_samples,
    interval_note=(
        "resamples the generated rows' authentic flags; the training set and its nearest-neighbour "
        "distances are held fixed (it is not resampled)"
    ),
)
def authenticity(
    *, real: np.ndarray, fake: np.ndarray, train: np.ndarray, device: str | torch.device = "cpu"
) -> dict[str, float]:
    """The share of generated rows that are not closer to their nearest training row than that row
    is to its own nearest training neighbour (see the module docstring).

    Args:
        real: features [N, D]; not read (the held-out set cannot have been memorised).
        fake: features [M, D], M >= 1.
        train: training features [N_train, D], N_train >= 2.
        device: where the nearest-neighbour tiles are computed (runtime).

    Returns:
        ``{"authenticity": float}`` in [0, 1]; higher is better (0 for copies of training rows).
        A generator that samples the training distribution scores well below 1 (a fresh sample
        often lies nearer a training row than that row's own neighbour), so compare values, and
        read a drop as copying.
    """
    return authenticity_samples(real=real, fake=fake, train=train, device=device).value()
