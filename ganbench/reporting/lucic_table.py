"""FID in the layout of Lucic et al. 2018: models as rows, datasets as columns, best FID and its spread.

Lucic, Kurach, Michalski, Gelly & Bousquet 2018, "Are GANs Created Equal? A Large-Scale Study"
(NeurIPS 2018, arXiv:1711.10337) compare GANs in one FID table: a row per model (MM GAN, NS GAN,
LSGAN, WGAN, WGAN-GP, DRAGAN, BEGAN, VAE), a column per data set (MNIST, Fashion-MNIST, CIFAR-10,
CelebA), and in each cell the best FID found with its spread. Their best comes from a search over
hyperparameters; the authors' code (google/compare_gan, branch v1,
``compare_gan/src/generate_tasks_lib.py``) samples 100 settings per model and data set
(``TuneParams``), then trains the best one again with 50 seeds (``Phase3Auto``,
``num_repeat=50``), and its evaluation gives a model whose samples hold a NaN a fixed FID of 31337
(``eval_gan_lib.NAN_DETECTED``).

ganbench runs no search: it trains each variant at its default settings (those of the paper the
variant comes from, ``ganbench list variants``) with a few seeds. A cell of :func:`lucic_table` is

- **best**: the lowest final FID over the seeds of that model on that dataset;
- **spread**: the mean ± standard deviation (ddof=1) of those FIDs and their number ``n``, from
  :func:`ganbench.analysis.summary.summary`, the one home of statistics over seeds.

A diverged seed (its loss became NaN/inf; it is not evaluated) is left out of best, mean and std,
as :func:`ganbench.analysis.summary.final_evaluations` leaves it out of every summary, and is
counted in the cell (``1 diverged``): the mean over the seeds that finished flatters a model that
diverges, so the count is part of the cell. A model whose every seed diverged reads
``n/a (3 diverged)``. Evaluations during training (``--eval-every``) are not final and are left
out; Lucic et al.'s code took the minimum over every saved checkpoint instead.
"""

from __future__ import annotations

import pandas as pd

from ganbench.analysis.summary import UNIT_COLUMNS, evaluated_values, summary
from ganbench.reporting.tables import ROUNDING_SPREAD, format_number, format_spread

#: The section's title, in report.md and report.html.
LUCIC_TITLE = "FID in the layout of Lucic et al. 2018"
#: The record key the table reads (metric ``fid``).
FID_KEY = "fid"
#: The columns of :func:`lucic_statistics`, in order.
LUCIC_COLUMNS: tuple[str, ...] = ("dataset", "variant", "best", "mean", "std", "n_seeds", "n_diverged")


def _diverged_units(records: pd.DataFrame) -> pd.Series:
    """(dataset, variant) -> the number of distinct units (run, seed) that diverged."""
    stage = records["stage"].fillna("final") if "stage" in records.columns else "final"
    trained = records["variant"] != "real"
    diverged = records[(stage == "final") & (records["status"] == "diverged") & trained]
    units = diverged.drop_duplicates(list(UNIT_COLUMNS))
    return units.groupby(["dataset", "variant"], sort=False).size()


def lucic_statistics(records: pd.DataFrame) -> pd.DataFrame:
    """Per (dataset, variant) of the trained models: best FID, mean, std, seeds and diverged seeds.

    Args:
        records: a records frame (``ganbench.load_records``): one run, or several runs concatenated,
            of one dataset or several.

    Returns:
        One row per (dataset, variant) with columns :data:`LUCIC_COLUMNS`: ``best`` the lowest final
        FID over the seeds that finished (NaN when none did), ``mean``, ``std`` (ddof=1, NaN for
        one seed) and ``n_seeds`` over them (:func:`~ganbench.analysis.summary.summary`),
        ``n_diverged`` the units that diverged. Only datasets with an FID value; the ``real`` reference
        row is left out. Datasets and variants in order of appearance. Empty when the records hold
        no FID.

    Raises:
        ProtocolMismatchError: the FIDs of one (dataset, variant) were measured under different
            protocols (:mod:`ganbench.analysis.protocol`).
    """
    fid = records[records["key"] == FID_KEY]
    stats = summary(fid)
    stats = stats[stats["variant"] != "real"]
    if stats.empty:
        return pd.DataFrame(columns=list(LUCIC_COLUMNS))
    values = evaluated_values(fid)
    best = values.groupby(["dataset", "variant"], sort=False)["value"].min()
    diverged = _diverged_units(records)
    datasets = list(dict.fromkeys(stats["dataset"]))
    trained = records[records["dataset"].isin(datasets) & (records["variant"] != "real")]
    rows = []
    for dataset, variant in trained[["dataset", "variant"]].drop_duplicates().itertuples(index=False):
        measured = stats[(stats["dataset"] == dataset) & (stats["variant"] == variant)]
        n_diverged = int(diverged.get((dataset, variant), 0))
        if measured.empty and not n_diverged:
            continue  # trained but not measured with FID (or no final evaluation): no cell
        row = measured.iloc[0] if len(measured) else None
        rows.append(
            {
                "dataset": dataset,
                "variant": variant,
                "best": float(best[(dataset, variant)]) if row is not None else float("nan"),
                "mean": float(row["mean"]) if row is not None else float("nan"),
                "std": float(row["std"]) if row is not None else float("nan"),
                "n_seeds": int(row["n_seeds"]) if row is not None else 0,
                "n_diverged": n_diverged,
            }
        )
    out = pd.DataFrame(rows, columns=list(LUCIC_COLUMNS))
    order = {d: i for i, d in enumerate(datasets)}
    return out.sort_values("dataset", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def lucic_cell(best: float, mean: float, std: float, n_seeds: int, n_diverged: int) -> str:
    """One cell: ``12.3 (mean 14.1 ± 1.2, n=3)``; ``12.3 (n=1)`` for one seed; diverged seeds are
    counted after a semicolon (``...; 1 diverged``); with none finished: ``n/a (3 diverged)``."""
    details = []
    if n_seeds >= 2:
        std = 0.0 if std < ROUNDING_SPREAD * abs(mean) else std
        details.append(f"mean {format_number(mean)} ± {format_spread(std)}, n={n_seeds}")
    elif n_seeds == 1:
        details.append("n=1")
    if n_diverged:
        details.append(f"{n_diverged} diverged")
    head = format_number(best) if n_seeds else "n/a"
    return f"{head} ({'; '.join(details)})"


def lucic_table(records: pd.DataFrame) -> pd.DataFrame:
    """The FID table in the layout of Lucic et al. 2018 (module docstring): str cells of :func:`lucic_cell`.

    Args:
        records: a records frame, one run or several; several datasets give several columns.

    Returns:
        Index ``model`` (the variants, in order of appearance), one column per dataset (in order of
        appearance); "" where a model was not run on a dataset. Empty when the records hold no FID.
    """
    stats = lucic_statistics(records)
    if stats.empty:
        return pd.DataFrame()
    cells = [
        lucic_cell(row.best, row.mean, row.std, row.n_seeds, row.n_diverged)
        for row in stats.itertuples(index=False)
    ]
    wide = stats.assign(cell=cells).pivot(index="variant", columns="dataset", values="cell")
    variants = [v for v in dict.fromkeys(records["variant"]) if v in set(stats["variant"])]
    wide = wide.reindex(index=variants, columns=list(dict.fromkeys(stats["dataset"])))
    wide.index.name = "model"
    wide.columns.name = None
    return wide.fillna("")


def _feature_spaces(records: pd.DataFrame, datasets: list[str]) -> str:
    """Per dataset: the extractor and its hash, and n_fake vs n_real, as one phrase."""
    values = evaluated_values(records[records["key"] == FID_KEY])
    values = values[values["variant"] != "real"]
    parts = []
    for dataset in datasets:
        rows = values[values["dataset"] == dataset]
        extractors = rows[["extractor", "extractor_hash"]].drop_duplicates()
        spaces = ", ".join(
            f"{name} `{digest}`" if pd.notna(digest) else str(name)
            for name, digest in extractors.itertuples(index=False)
        )
        n_fake, n_real = rows["n_fake"].dropna(), rows["n_real"].dropna()
        sizes = (
            f", {int(n_fake.max())} generated vs {int(n_real.max())} held-out images"
            if len(n_fake) and len(n_real)
            else ""
        )
        parts.append(f"{dataset}: {spaces}{sizes}")
    return "; ".join(parts)


def lucic_caption(records: pd.DataFrame) -> str:
    """What the table's cells mean, with the feature space and sample sizes of each dataset (Markdown code
    spans for hashes). "" when the records hold no FID."""
    stats = lucic_statistics(records)
    if stats.empty:
        return ""
    datasets = list(dict.fromkeys(stats["dataset"]))
    return (
        'Models as rows, datasets as columns, as in the FID table of Lucic et al. 2018 ("Are GANs'
        ' Created Equal?", arXiv:1711.10337). A cell reads: the best FID, the lowest final FID over'
        " the seeds of that model on that dataset (lower is better), then its spread over those"
        " seeds: their mean ± standard deviation and their number n. These are seeds at each"
        " variant's default settings (those of the paper it comes from), not Lucic et al.'s"
        " hyperparameter search (100 settings per model and dataset, the best one retrained with 50 seeds): a"
        " cell is not their number and says nothing about what tuning would reach. A diverged seed"
        " (loss NaN/inf, not evaluated) is left out of best, mean and std, and counted in the cell"
        " (`1 diverged`): the mean over the seeds that finished flatters a model that diverges."
        f" FID feature space and sizes: {_feature_spaces(records, datasets)}. Lucic et al. used"
        " Inception-v3 features: FIDs in another feature space are on another scale."
    )


def lucic_markdown(records: pd.DataFrame) -> list[str]:
    """The report.md section: title, caption and table; no lines when the records hold no FID."""
    table = lucic_table(records)
    if table.empty:
        return []
    return [f"## {LUCIC_TITLE}", "", lucic_caption(records), "", table.to_markdown(), ""]
