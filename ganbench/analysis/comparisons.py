"""Pairwise comparisons of variants over seeds: Welch's t and a permutation test, Holm-corrected.

Lucic et al. 2018 ("Are GANs Created Equal?", arXiv:1711.10337) showed that most claimed
differences between GAN losses vanish under equal budgets and several seeds; these tests say
which differences in a run survive its seeds. Each seed's final evaluation is one observation.

Two tests, both suited to few seeds and both reported:

- ``welch``: Welch's unequal-variance t-test of the difference of means (Welch 1947),
  ``scipy.stats.ttest_ind(a, b, equal_var=False)``, two-sided;
- ``permutation``: the permutation test of the difference of means, two-sided
  (``scipy.stats.permutation_test``, ``permutation_type="independent"``): exact (every split of
  the pooled values into groups of the two sizes) when there are at most
  :data:`PERMUTATION_RESAMPLES` splits, else Monte-Carlo with that many resamples drawn with
  :data:`PERMUTATION_SEED`. An exact test with few seeds has a floor: with 3 and 3 seeds there are
  20 splits and no two-sided p below 2/20 = 0.1, so it cannot be significant at 0.05; the ``note``
  column says so. Welch's t has no such floor but assumes roughly normal values.

For a key with a target (``direction == "target"``, e.g. the 1-NN accuracy, ideal 0.5) the tested
quantity is each seed's distance to the target, ``|value − target|``: the question is which
variant is closer. ``mean_a``, ``mean_b`` and ``diff`` stay in the key's own values.

No p-value is made up: with fewer than two values on a side, with censored values (a birthday
support that is only a lower bound) or, for Welch, with no spread in either group, ``p_value`` is
NaN and ``note`` says why.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from ganbench.analysis.holm import holm
from ganbench.analysis.summary import evaluated_values

TESTS: tuple[str, ...] = ("welch", "permutation")
#: Resamples of the Monte-Carlo permutation test; with fewer distinct splits the test is exact.
PERMUTATION_RESAMPLES = 9999
PERMUTATION_SEED = 0
#: The levels the ``level`` column reports, strictest first.
SIGNIFICANCE_LEVELS: tuple[float, ...] = (0.001, 0.01, 0.05)

COMPARISON_COLUMNS: tuple[str, ...] = (
    "dataset",
    "metric",
    "key",
    "direction",
    "target",
    "a",
    "b",
    "n_a",
    "n_b",
    "mean_a",
    "mean_b",
    "diff",
    "better",
    "test",
    "p_value",
    "p_holm",
    "significant",
    "level",
    "note",
)

#: Columns computed over a family of tests, after the p-values.
_DERIVED = ("p_holm", "significant", "level")
_KEY_COLUMNS = ["dataset", "metric", "key"]


def pairwise(
    records: pd.DataFrame,
    *,
    tests: Sequence[str] = TESTS,
    alpha: float = 0.05,
    variants: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every pair of variants compared on every (dataset, metric, key), Holm-corrected per key.

    Args:
        records: a records frame (``ganbench.load_records``); its final evaluations are used.
        tests: which of :data:`TESTS` to run; one row per pair, key and test.
        alpha: the level of the ``significant`` column.
        variants: the variants to compare, in this order (default: every variant but ``real``, in
            order of appearance; ``real`` is the reference row, one value per run, not a contender).

    Returns:
        Columns :data:`COMPARISON_COLUMNS`: the key and its ``direction`` / ``target``; the pair
        ``a``, ``b`` (a listed before b); ``n_a``, ``n_b`` values (seeds) of each; ``mean_a``,
        ``mean_b`` and ``diff = mean_a − mean_b``; ``better``, the variant with the better mean given
        the direction (for a target key the smaller mean distance to the target; None on a tie);
        ``test``; ``p_value`` two-sided; ``p_holm``, Holm-adjusted (:func:`ganbench.analysis.holm.holm`)
        within the family of **all pairs of one (dataset, metric, key) and one test** (NaN p-values
        are not in the family); ``significant`` ``p_holm < alpha`` (NA where no test was possible);
        ``level``, the strictest of :data:`SIGNIFICANCE_LEVELS` that ``p_holm`` is below (NaN if none);
        ``note``, why a test is missing or limited ("" when there is nothing to say).
    """
    values = evaluated_values(records)
    chosen = _variants(values, variants)
    rows = []
    for (dataset, metric, key), group in values.groupby(_KEY_COLUMNS, sort=False, dropna=False):
        sides = dict(list(group.groupby("variant", sort=False)))
        for a, b in combinations(chosen, 2):
            if a in sides and b in sides:
                rows += _compare_pair(dataset, metric, key, a, b, sides[a], sides[b], tests)
    return _finish(rows, family=[*_KEY_COLUMNS, "test"], alpha=alpha)


def compare(
    records: pd.DataFrame, a: str, b: str, *, tests: Sequence[str] = TESTS, alpha: float = 0.05
) -> pd.DataFrame:
    """Variant ``a`` against ``b`` on every (dataset, metric, key) both have (re-exported as
    ``ganbench.compare``).

    Columns as :func:`pairwise`, but Holm's correction is over the family of **every key of this
    one pair** (per test and dataset): the question "where do a and b differ?". So ``p_holm`` here
    differs from :func:`pairwise`'s, whose family is every pair of one key.
    """
    values = evaluated_values(records)
    known = list(dict.fromkeys(values["variant"]))
    for name in (a, b):
        if name not in known:
            raise ValueError(f"no final evaluations of variant {name!r}; the records have {known}")
    if a == b:
        raise ValueError(f"compare two different variants; got {a!r} twice")
    rows = []
    for (dataset, metric, key), group in values.groupby(_KEY_COLUMNS, sort=False, dropna=False):
        side_a, side_b = group[group["variant"] == a], group[group["variant"] == b]
        if len(side_a) and len(side_b):
            rows += _compare_pair(dataset, metric, key, a, b, side_a, side_b, tests)
    return _finish(rows, family=["dataset", "test"], alpha=alpha)


def _variants(values: pd.DataFrame, variants: Sequence[str] | None) -> list[str]:
    known = list(dict.fromkeys(values["variant"]))
    if variants is None:
        return [v for v in known if v != "real"]
    unknown = [v for v in variants if v not in known]
    if unknown:
        raise ValueError(f"no final evaluations of variant(s) {unknown}; the records have {known}")
    return list(dict.fromkeys(variants))


def tested_values(side: pd.DataFrame) -> np.ndarray:
    """The quantity compared for one variant's values of one key: the values, or for a key with a
    target the distance to it, ``|value − target|`` [n]."""
    values = side["value"].to_numpy(dtype=np.float64)
    if side["direction"].iloc[0] == "target":
        return np.abs(values - float(side["target"].iloc[0]))
    return values


def better_of(a: str, b: str, tested_a: float, tested_b: float, direction: str) -> str | None:
    """The variant whose mean tested quantity is better: lower for "lower" and "target" (a distance),
    higher for "higher"; None when equal."""
    if tested_a == tested_b:
        return None
    a_lower = tested_a < tested_b
    return a if a_lower == (direction != "higher") else b


def _compare_pair(
    dataset: str,
    metric: str,
    key: str,
    a: str,
    b: str,
    side_a: pd.DataFrame,
    side_b: pd.DataFrame,
    tests: Sequence[str],
) -> list[dict]:
    direction, target = side_a["direction"].iloc[0], side_a["target"].iloc[0]
    x, y = tested_values(side_a), tested_values(side_b)
    mean_a, mean_b = float(side_a["value"].mean()), float(side_b["value"].mean())
    common = {
        "dataset": dataset,
        "metric": metric,
        "key": key,
        "direction": direction,
        "target": target,
        "a": a,
        "b": b,
        "n_a": x.size,
        "n_b": y.size,
        "mean_a": mean_a,
        "mean_b": mean_b,
        "diff": mean_a - mean_b,
        "better": better_of(a, b, float(x.mean()), float(y.mean()), direction),
    }
    shared_notes = []
    if direction == "target":
        shared_notes.append(f"tested |value − {float(target):g}|")
    why_not = _why_no_test(a, b, side_a, side_b)
    rows = []
    for test in tests:
        if test not in TESTS:
            raise ValueError(f"unknown test {test!r}; choose from {list(TESTS)}")
        notes = list(shared_notes)
        if why_not:
            p = math.nan
            notes.insert(0, why_not)
        elif test == "welch":
            p, note = welch_p(x, y)
            notes += [note] if note else []
        else:
            p, note = permutation_p(x, y)
            notes += [note] if note else []
        rows.append({**common, "test": test, "p_value": p, "note": "; ".join(notes)})
    return rows


def _why_no_test(a: str, b: str, side_a: pd.DataFrame, side_b: pd.DataFrame) -> str:
    """Why no test can be made on these values, or "" when one can."""
    for name, side in ((a, side_a), (b, side_b)):
        if len(side) < 2:
            return f"one seed of {name}: no test possible (run more seeds)"
    censored = [name for name, side in ((a, side_a), (b, side_b)) if side["censored"].any()]
    if censored:
        return f"censored values of {' and '.join(censored)} (lower bounds, no duplicate found): no test"
    return ""


def welch_p(x: np.ndarray, y: np.ndarray) -> tuple[float, str]:
    """Two-sided p of Welch's t-test of mean(x) = mean(y), and a note; NaN when both groups are constant
    (the statistic is 0/0 or ±inf: no evidence either way from the spread)."""
    if np.ptp(x) == 0.0 and np.ptp(y) == 0.0:
        return math.nan, "no spread within either variant: Welch's t undefined"
    with warnings.catch_warnings():  # nearly constant groups: scipy warns of precision loss
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(stats.ttest_ind(x, y, equal_var=False).pvalue), ""


def permutation_p(x: np.ndarray, y: np.ndarray) -> tuple[float, str]:
    """Two-sided p of the permutation test of the difference of means, and a note on its exactness.

    Exact when the distinct splits C(n_x + n_y, n_x) number at most :data:`PERMUTATION_RESAMPLES`;
    the note gives the smallest p an exact test can reach when it is above 0.05.
    """
    splits = math.comb(x.size + y.size, x.size)
    result = stats.permutation_test(
        (x, y),
        lambda u, v, axis: np.mean(u, axis=axis) - np.mean(v, axis=axis),
        permutation_type="independent",
        vectorized=True,
        n_resamples=PERMUTATION_RESAMPLES,
        alternative="two-sided",
        random_state=PERMUTATION_SEED,
    )
    if splits > PERMUTATION_RESAMPLES:
        return float(result.pvalue), f"permutation: Monte-Carlo, {PERMUTATION_RESAMPLES} resamples"
    floor = min(1.0, 2.0 / splits)
    note = f"exact over {splits} splits: p cannot go below {floor:.2g}" if floor > 0.05 else ""
    return float(result.pvalue), note


def significance_level(p_holm: float) -> float:
    """The strictest of :data:`SIGNIFICANCE_LEVELS` that ``p_holm`` is below; NaN if none (or no test)."""
    for level in SIGNIFICANCE_LEVELS:
        if p_holm < level:
            return level
    return math.nan


def _finish(rows: list[dict], family: list[str], alpha: float) -> pd.DataFrame:
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be strictly between 0 and 1, e.g. 0.05; got {alpha!r}")
    frame = pd.DataFrame(rows, columns=[c for c in COMPARISON_COLUMNS if c not in _DERIVED])
    frame["p_value"] = frame["p_value"].astype(np.float64)
    frame["target"] = pd.to_numeric(frame["target"], errors="coerce")
    frame["p_holm"] = np.nan
    for _, index in frame.groupby(family, sort=False, dropna=False).groups.items():
        frame.loc[index, "p_holm"] = holm(frame.loc[index, "p_value"].to_numpy())
    frame["significant"] = pd.array(
        [pd.NA if math.isnan(p) else p < alpha for p in frame["p_holm"]], dtype="boolean"
    )
    frame["level"] = [significance_level(p) for p in frame["p_holm"]]
    return frame[list(COMPARISON_COLUMNS)]
