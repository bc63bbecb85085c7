"""Boundary distortion: does a linear classifier learnt from generated samples find the real class boundaries?

Santurkar, Schmidt & Madry 2018, "A Classification-Based Study of Covariate Shift in GAN
Distributions" (ICML 2018, arXiv:1711.00970), study two ways a GAN loses diversity, mode collapse
and *boundary distortion*: a generator can stay on the data's support yet under-represent the
regions near the class boundaries (a covariate shift). Their test trains a linear classifier on
labelled generated samples and compares its accuracy on real held-out data with that of the same
classifier trained on real data; a linear model is the probe because its boundary is placed by the
samples near it, exactly the ones a distorted generator leaves out.

Procedure here, in the ``features`` space (the authors' code is not used; see "Departures"):

1. **annotator**: a multinomial logistic regression on standardised features
   (``StandardScaler`` then ``LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000)``, scikit-learn;
   binary logistic for two classes) fitted on the training split ``train`` / ``train_labels``, on at
   most ``max_train`` rows drawn with ``seed``; it labels the generated rows ``fake``;
2. **generated-trained** classifier: the same linear model fitted on (``fake``, annotator labels);
3. **baseline**: the same linear model fitted on n training rows with their true labels, n = M, the
   size of the generated set (drawn without replacement with ``seed``; when the training split has
   fewer rows, T < M, the generated set is cut to T rows instead, so both see n = min(M, T));
4. both are tested on the real held-out rows ``real`` / ``real_labels``.

Keys: ``boundary_distortion_accuracy`` (higher), the test accuracy of the generated-trained
classifier; ``boundary_distortion_gap`` (lower), baseline accuracy minus it: about 0 for a generator
that reproduces the data (up to the spread of two fits on independent samples), larger when the
generated classes are placed, spread or balanced differently near the boundaries. A negative gap
means the generated set taught the linear model more than as many real rows did.

A class the annotator gives to no generated row cannot be predicted; a handful of rows can be enough
for the linear model to extrapolate a class's region (a generator that drops a mode but leaks a few
samples towards it is then hardly penalised: a probe of boundaries, not of mode counts). When the
annotator gives only one class,
the generated-trained classifier predicts that class for every test row (a constant classifier, the
only one such labels can teach), so a fully mode-collapsed generator scores that class's share.

Departures from the paper (its full text was not at hand when this was written, only its abstract;
the first point is from memory of it and should be checked against Sec. 4): the paper labels its
synthetic samples by the class they were generated for;
ganbench's generators are unconditional, so the samples are labelled by an annotator trained on
real data (the device the paper uses for its mode-collapse test). The classifiers are linear models
on the extractor's features rather than on the paper's inputs and settings.

Fits are capped at 1000 L-BFGS iterations; a fit that stops at the cap is used as it is (its
ConvergenceWarning is silenced), so the value is the same on every call.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.checks import as_matrix, check_labels, check_seed, positive_int, same_width
from ganbench.numerics.resampling import take_rows

#: The linear model's fixed settings (scikit-learn's defaults, with more iterations).
_C = 1.0
_MAX_ITER = 1000


def fit_linear(x: np.ndarray, y: np.ndarray) -> Pipeline | int:
    """Standardise, then logistic regression, fitted on x [n, D], y int [n]; a single class gives that
    class (an ``int``: the constant classifier) rather than a model."""
    classes = np.unique(y)
    if classes.shape[0] == 1:
        return int(classes[0])
    model = make_pipeline(StandardScaler(), LogisticRegression(C=_C, solver="lbfgs", max_iter=_MAX_ITER))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y)
    return model


def predict(model: Pipeline | int, x: np.ndarray) -> np.ndarray:
    """Class predictions int64 [n] of :func:`fit_linear`'s result on x [n, D]."""
    if isinstance(model, int):
        return np.full(x.shape[0], model, dtype=np.int64)
    return np.asarray(model.predict(x), dtype=np.int64)


def _rows(n_total: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """n of n_total row indices without replacement, in order (every row when n == n_total)."""
    return np.arange(n_total) if n == n_total else np.sort(rng.choice(n_total, size=n, replace=False))


def boundary_distortion_samples(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    train: np.ndarray,
    train_labels: np.ndarray,
    real_labels: np.ndarray,
    max_train: int = 10000,
    seed: int = 0,
) -> PerSample:
    """Per test row, whether the generated-trained and the baseline classifier get it right (float64
    [N] each), all three models fitted once; a resample's accuracies are the shares over the drawn test
    rows. Arguments as :func:`boundary_distortion`."""
    max_train = positive_int("max_train", max_train)
    seed = check_seed(seed)
    r = as_matrix("real", real)
    f = as_matrix("fake", fake, min_rows=2)
    t = as_matrix("train", train, min_rows=2)
    same_width(real=r, fake=f, train=t)
    y_train = check_labels("train_labels", train_labels, t.shape[0])
    y_real = check_labels("real_labels", real_labels, r.shape[0])
    if np.unique(y_train).shape[0] < 2:
        raise ValueError("train_labels must hold at least 2 classes to train the annotator; got 1")

    rng = np.random.default_rng(seed)
    n = min(f.shape[0], t.shape[0])
    f = f[_rows(f.shape[0], n, rng)]
    base_rows = _rows(t.shape[0], n, rng)
    annotator_rows = _rows(t.shape[0], min(max_train, t.shape[0]), rng)

    annotator = fit_linear(t[annotator_rows], y_train[annotator_rows])
    fake_labels = predict(annotator, f)
    correct_fake = (predict(fit_linear(f, fake_labels), r) == y_real).astype(np.float64)
    correct_base = (predict(fit_linear(t[base_rows], y_train[base_rows]), r) == y_real).astype(np.float64)

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        accuracy = float(take_rows(correct_fake, real_rows).mean())
        baseline = float(take_rows(correct_base, real_rows).mean())
        return {"boundary_distortion_accuracy": accuracy, "boundary_distortion_gap": baseline - accuracy}

    return PerSample(n_real=r.shape[0], n_fake=0, reduce=reduce)


@metric(
    "boundary-distortion",
    space="features",
    directions={"boundary_distortion_accuracy": "higher", "boundary_distortion_gap": "lower"},
    reference="Santurkar, Schmidt & Madry 2018 (ICML, arXiv:1711.00970), boundary distortion",
    extra_inputs=("train", "train_labels", "real_labels"),
    notes=(
        "generated rows labelled by an annotator (logistic regression on the training split) where the "
        "paper labels samples by the class they were generated for; linear models on extractor features"
    ),
    interval="per-sample",
    per_sample=boundary_distortion_samples,
    interval_note=(
        "resamples the real test rows' correctness, the annotator and both classifiers fixed: the "
        "interval leaves out the variation of the generated set and of the fits"
    ),
    aspects={"boundary_distortion_accuracy": ("diversity",), "boundary_distortion_gap": ("diversity",)},
)
def boundary_distortion(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    train: np.ndarray,
    train_labels: np.ndarray,
    real_labels: np.ndarray,
    max_train: int = 10000,
    seed: int = 0,
) -> dict[str, float]:
    """Real test accuracy of a linear classifier trained on annotator-labelled generated features, and its
    gap to the same classifier trained on as many real training rows (module docstring).

    Args:
        real: real held-out features [N, D], the test rows.
        fake: generated features [M, D], M >= 2.
        train: real training features [T, D], T >= 2.
        train_labels: int [T], class labels of ``train`` (at least two classes).
        real_labels: int [N], class labels of ``real``.
        max_train: at most this many training rows (drawn with ``seed``) train the annotator.
        seed: draws the annotator's rows, the baseline's n rows and, when M > T, the generated rows kept.

    Returns:
        ``boundary_distortion_accuracy`` in [0, 1] (higher is better) and ``boundary_distortion_gap`` in
        [-1, 1] (lower is better; about 0 when the generated set teaches as well as real data).
    """
    return boundary_distortion_samples(
        real=real,
        fake=fake,
        train=train,
        train_labels=train_labels,
        real_labels=real_labels,
        max_train=max_train,
        seed=seed,
    ).value()
