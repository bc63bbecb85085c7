"""Borji's list: the 24 quantitative and 5 qualitative measures of his survey, and where each lives here.

Borji 2019, "Pros and Cons of GAN Evaluation Measures" (CVIU 179, arXiv:1802.03446), Table 1
numbers the measures; ``ganbench list metrics`` shows each with its number and the ganbench
measures that compute it, or why none does (the human studies). Measures ganbench has beyond the
2019 list say where they come from (several are in Borji's 2021 follow-up, arXiv:2103.09396).
This module registers nothing; ``tests/metrics/test_borji_list.py`` checks that every name here is
a registered measure and every registered measure is placed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BorjiEntry:
    """One line of Borji's Table 1.

    Attributes:
        number: its number in the table (quantitative 1-24, qualitative 1-5).
        kind: ``quantitative`` or ``qualitative``.
        title: his name for it, with the paper he cites.
        measures: ganbench measures (registry names) that compute it; empty when none does.
        note: how the measures cover it, or why nothing does.
    """

    number: int
    kind: str
    title: str
    measures: tuple[str, ...] = ()
    note: str = ""


BORJI_2019: tuple[BorjiEntry, ...] = (
    BorjiEntry(
        1, "quantitative", "Average log-likelihood / Parzen window (Goodfellow et al. 2014)", ("parzen-ll",)
    ),
    BorjiEntry(2, "quantitative", "Coverage metric (Tolstikhin et al. 2017, AdaGAN)", ("kde-coverage",)),
    BorjiEntry(3, "quantitative", "Inception Score (Salimans et al. 2016)", ("is",)),
    BorjiEntry(4, "quantitative", "Modified Inception Score, m-IS (Gurumurthy et al. 2017)", ("m-is",)),
    BorjiEntry(5, "quantitative", "Mode Score (Che et al. 2017)", ("mode-score",)),
    BorjiEntry(6, "quantitative", "AM Score (Zhou et al. 2018)", ("am-score",)),
    BorjiEntry(7, "quantitative", "Fréchet Inception Distance (Heusel et al. 2017)", ("fid", "fid-inf")),
    BorjiEntry(8, "quantitative", "Maximum Mean Discrepancy (Gretton et al. 2012)", ("mmd", "kid")),
    BorjiEntry(9, "quantitative", "The Wasserstein critic (Arjovsky et al. 2017)", ("wasserstein-critic",)),
    BorjiEntry(10, "quantitative", "Birthday paradox test (Arora & Zhang 2017)", ("birthday",)),
    BorjiEntry(
        11, "quantitative", "Classifier two-sample tests, C2ST (Lopez-Paz & Oquab 2017)", ("c2st-1nn",)
    ),
    BorjiEntry(
        12,
        "quantitative",
        "Classification performance (Radford et al. 2016; Isola et al. 2017)",
        ("gan-train", "gan-test"),
        "as GAN-train / GAN-test (Shmelkov et al. 2018); a linear probe on discriminator features "
        "is not computed",
    ),
    BorjiEntry(13, "quantitative", "Boundary distortion (Santurkar et al. 2018)", ("boundary-distortion",)),
    BorjiEntry(
        14, "quantitative", "Number of statistically-different bins, NDB (Richardson & Weiss 2018)", ("ndb",)
    ),
    BorjiEntry(15, "quantitative", "Image retrieval performance (Wang et al. 2016)", ("image-retrieval",)),
    BorjiEntry(16, "quantitative", "Generative adversarial metric, GAM (Im et al. 2016)", ("gam",)),
    BorjiEntry(
        17, "quantitative", "Tournament win rate and skill rating (Olsson et al. 2018)", ("tournament",)
    ),
    BorjiEntry(
        18, "quantitative", "Normalized relative discriminative score, NRDS (Zhang et al. 2018)", ("nrds",)
    ),
    BorjiEntry(
        19,
        "quantitative",
        "Adversarial accuracy and adversarial divergence (Yang et al. 2017)",
        ("adversarial-accuracy",),
    ),
    BorjiEntry(20, "quantitative", "Geometry score (Khrulkov & Oseledets 2018)", ("geometry-score",)),
    BorjiEntry(21, "quantitative", "Reconstruction error (Xiang & Li 2017)", ("recon-error",)),
    BorjiEntry(
        22,
        "quantitative",
        "Image quality measures: SSIM, PSNR, sharpness difference (Wang et al. 2004; Mathieu et al. 2016)",
        ("ssim-diversity", "sharpness"),
        "SSIM between generated pairs (diversity, Odena et al. 2017) and sharpness difference; "
        "PSNR needs paired "
        "images (a reference for each sample) and is not computed",
    ),
    BorjiEntry(23, "quantitative", "Low-level image statistics (Zeng et al. 2017)", ("image-stats",)),
    BorjiEntry(
        24,
        "quantitative",
        "Precision, recall and F1 score (Lucic et al. 2018; Sajjadi et al. 2018)",
        ("precision-recall", "prd"),
        "k-NN precision/recall (Kynkäänniemi et al. 2019) and PRD curves with F_8 / F_1/8 (Sajjadi "
        "et al. 2018)",
    ),
    BorjiEntry(
        1,
        "qualitative",
        "Nearest neighbours",
        ("memorization",),
        "report.html shows each variant's samples beside their nearest training images; "
        "memorization counts copies",
    ),
    BorjiEntry(
        2,
        "qualitative",
        "Rapid scene categorization (Fei-Fei et al. 2002)",
        (),
        "a human study: people categorise or rank images; software cannot stand in for it",
    ),
    BorjiEntry(
        3,
        "qualitative",
        "Preference judgment (Huang et al. 2017; Zhang et al. 2017)",
        (),
        "a human study: people categorise or rank images; software cannot stand in for it",
    ),
    BorjiEntry(
        4,
        "qualitative",
        "Mode drop and collapse (Srivastava et al. 2017; Lin et al. 2018)",
        ("class-coverage",),
        "quantified by class coverage and the birthday test; `ganbench validate` builds drop and "
        "collapse on purpose",
    ),
    BorjiEntry(
        5,
        "qualitative",
        "Investigating and visualizing the internals of networks (Chen et al. 2016; Bau et al. 2019)",
        (),
        "needs a person to inspect each architecture's units",
    ),
)

#: Measures ganbench computes beyond Borji's 2019 list, and where they come from.
BEYOND_BORJI_2019: dict[str, str] = {
    "alpha-beta": "Alaa et al. 2022 (alpha-precision, beta-recall, arXiv:2102.08921)",
    "authenticity": "Alaa et al. 2022 (authenticity, arXiv:2102.08921)",
    "clipped-density-coverage": "Salvy, Bouchard et al. 2025 (arXiv:2507.01761)",
    "density-coverage": "Naeem et al. 2020 (in Borji's 2021 follow-up, arXiv:2103.09396)",
    "fld": "Jiralerspong et al. 2023 (Feature Likelihood Divergence, arXiv:2302.04440)",
    "intra-fid": "Miyato & Koyama 2018 (class-conditional FID)",
    "mind": "Berthet et al. (Monge Inception Distance, arXiv:2605.06797; torch-fidelity 0.5)",
    "rarity": "Han et al. 2023 (rarity score, arXiv:2206.08549)",
    "swd": "Karras et al. 2018 (sliced Wasserstein distance)",
    "top-pr": "Kim et al. 2023 (TopP&R, arXiv:2306.08013)",
    "cmmd": "Jayasumana et al. 2024 (CLIP-space Gaussian MMD, arXiv:2401.09603)",
    "vendi": "Friedman & Dieng 2023 (Vendi score, arXiv:2210.02410)",
    "vendi-per-class": "Friedman & Dieng 2023 (Vendi score per class, arXiv:2210.02410)",
    "p-precision-recall": "Park & Kim 2023 (P-precision, P-recall, arXiv:2309.01590)",
    "pr-cover": "Cheema & Urner 2023 (precision-recall cover, AISTATS, PMLR 206)",
}


def entries_of(measure: str) -> list[BorjiEntry]:
    """The entries of Borji's list that ``measure`` computes (empty: not on his list)."""
    return [entry for entry in BORJI_2019 if measure in entry.measures]


def place_of(measure: str) -> str:
    """Where ``measure`` stands in Borji's list, in words: "Borji #7" / "beyond Borji 2019: ..."."""
    entries = entries_of(measure)
    if entries:
        return ", ".join(f"Borji {e.kind[:5]}. #{e.number}" for e in entries)
    return f"beyond Borji 2019: {BEYOND_BORJI_2019.get(measure, 'not on his list')}"
