"""Properties of the measures known from the literature, looked up in a validate experiment.

Each statement is checked on the records of the image-set experiment at full n with the series
verdicts of :mod:`ganbench.validation.verdicts`: a key "falls" with a series when its verdict there
is ``pass`` (a monotone fall of more than MOVE_SPREADS control spreads σ); it "holds", "ignores" or
"misses" a defect when its verdict is ``fail`` (no consistent fall: flat, noisy or the wrong way).
A ``weak`` verdict is neither, so the statement is not shown. A statement whose keys were not
measured says so; one the data contradicts is reported as not shown — the experiment reports what
it finds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ganbench.validation.verdicts import PASS_RHO, KeyData, SeriesInfo, Verdict, series_verdict, spearman


@dataclass(frozen=True)
class KnownResult:
    """``shown``: True / False, or None when a key it needs was not measured."""

    statement: str
    source: str
    shown: bool | None
    evidence: str


class _Lookup:
    def __init__(self, records: pd.DataFrame, series: Sequence[SeriesInfo]) -> None:
        self.records = records
        self.series = {s.name: s for s in series}

    def data(self, key: str) -> KeyData | None:
        rows = self.records[self.records["key"] == key]
        return None if rows.empty else KeyData(rows)

    def trend(self, key: str, series: str) -> Verdict | None:
        """The key's verdict on the series (None: not measured)."""
        data, info = self.data(key), self.series.get(series)
        if data is None or info is None:
            return None
        values, controls = data.series(info), data.controls()
        if values is None or controls.size == 0:
            return None
        return series_verdict(float(np.mean(data.g(controls))), data.g(values), data.spread())


def _falls(verdict: Verdict | None) -> bool | None:
    return None if verdict is None else verdict.grade == "pass"


def _holds(verdict: Verdict | None) -> bool | None:
    return None if verdict is None else verdict.grade == "fail"


def _trend_text(key: str, verdict: Verdict | None) -> str:
    return f"{key}: not measured" if verdict is None else f"{key}: {verdict.text}"


def _all(values: Sequence[bool | None]) -> bool | None:
    return None if any(v is None for v in values) else all(values)  # type: ignore[return-value]


def known_results(records: pd.DataFrame, series: Sequence[SeriesInfo]) -> list[KnownResult]:
    """The literature's statements about the measures, checked on full-n image-set records."""
    look = _Lookup(records, series)
    out = []

    fid, inception = look.trend("fid", "memorisation"), look.trend("is", "memorisation")
    out.append(
        KnownResult(
            "FID and IS miss memorisation: copies of the training set score like a real sample",
            "Borji 2019 (arXiv:1802.03446) Table 3; Xu et al. 2018 (arXiv:1806.07755) Sec. 3",
            _all([_holds(fid), _holds(inception)]),
            f"memorisation: {_trend_text('fid', fid)}; {_trend_text('is', inception)}",
        )
    )
    collapse = look.series.get("mode-collapse")
    inception = look.trend("is", "mode-collapse")
    out.append(
        KnownResult(
            "IS ignores intra-class mode collapse (K images of every class, repeated)",
            "Borji 2019 Sec. 3.1; Salimans et al. 2016 (arXiv:1606.03498)",
            _holds(inception),
            f"mode-collapse: {_trend_text('is', inception)}",
        )
    )

    precision, recall = look.trend("precision", "gaussian-noise"), look.trend("recall", "gaussian-noise")
    out.append(
        KnownResult(
            "Precision falls with noise while recall holds",
            "Kynkäänniemi et al. 2019 (arXiv:1904.06991) Sec. 3",
            _all([_falls(precision), _holds(recall)]),
            f"gaussian-noise: {_trend_text('precision', precision)}; {_trend_text('recall', recall)}",
        )
    )

    trends = {key: look.trend(key, "mode-dropping") for key in ("recall", "coverage", "precision")}
    out.append(
        KnownResult(
            "Recall and coverage fall with mode dropping while precision holds",
            "Kynkäänniemi et al. 2019; Naeem et al. 2020 (arXiv:2002.09797)",
            _all([_falls(trends["recall"]), _falls(trends["coverage"]), _holds(trends["precision"])]),
            "mode-dropping: " + "; ".join(_trend_text(k, t) for k, t in trends.items()),
        )
    )

    data = look.data("birthday_support")
    values = None if data is None or collapse is None else data.series(collapse)
    if values is None or collapse is None:
        out.append(
            KnownResult(
                "Birthday support estimates follow K", "Arora & Zhang 2017", None, "birthday: not measured"
            )
        )
    else:
        k = np.asarray(collapse.values)
        rho = spearman(k, values)
        ratios = ", ".join(f"K={kk:g}: {v:.4g}" for kk, v in zip(k, values, strict=True))
        out.append(
            KnownResult(
                "Birthday support estimates follow K in the mode-collapse series",
                "Arora & Zhang 2017 (arXiv:1706.08224)",
                bool(not math.isnan(rho) and rho >= -PASS_RHO),
                f"Spearman(K, estimate) = {rho:+.2f}; estimates {ratios}",
            )
        )
    return out
