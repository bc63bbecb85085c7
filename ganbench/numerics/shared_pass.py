"""One tiled pass that gives the Tier-1 battery everything it needs from a real and a generated set.

Every k-NN measure and KID can be read from three Gram matrices: real x real and fake x fake
(symmetric: only the tiles on and above the diagonal are computed) and real x fake (issue #10).
This module computes those tiles once, in float32 (:mod:`ganbench.numerics.distances`), and
reduces each tile for every measure that asked before it is dropped:

- the self passes keep each row's nearest candidates, from which every k-NN radius (precision /
  recall k = 3, density / coverage k = 5, ...) is resolved exactly (canonical distances);
- the cross pass counts, for every requested ball test, which generated rows fall in which real
  balls and which real rows in which generated balls, exactly (near-ties recomputed);
- all three passes add up KID's polynomial kernel ``(x·y / d + 1)^degree`` over each round's
  subsets (Bińkowski et al. 2018, arXiv:1801.01401): a round's subset is an indicator vector, so
  its kernel sum is ``1_Sᵀ K 1_S``, one thin product per tile (100 rounds: about 5 % of the tile's
  product) instead of 100 new kernel matrices. The kernel is read from the distance tile:
  ``x·y = (‖x‖² + ‖y‖² − ‖x − y‖²) / 2``.

The real set's self pass is memoised by its content (:data:`_REAL_PASS_MEMO`), so evaluating
several generated sets against one real set (checkpoints, seeds, variants) pays for it once.

Memory is bounded by tiles: O((N + M) · D) for the float32 centred copies, one tile, and
O((N + M) · (k + rounds)) results; never an N x M matrix.

Use :func:`sharing` around the measures (``ganbench.evaluation.scoring`` does): inside the block,
the primitives those measures call find the pass's results for the same array objects
(:mod:`ganbench.numerics.active_pass`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch

from ganbench.numerics import active_pass
from ganbench.numerics.blocks import chunks
from ganbench.numerics.checks import as_features, same_width
from ganbench.numerics.distances import (
    _KNN_EXTRA,
    _KNN_MIN_K,
    DEFAULT_CHUNK_SIZE,
    BallMembers,
    CrossMembers,
    SelfCandidates,
    Want,
    _KnnScan,
    _Pass,
    _upper_tiles,
    centre_point,
    to_tensor,
)
from ganbench.numerics.float32_matmul import float32_products, row_products
from ganbench.numerics.kernels import kid_rounds
from ganbench.numerics.memo import Memo, content_hash

SIDES = ("real", "fake")

# The real set's self pass (k-NN candidates, KID's within-real sums) by the real set's content and
# the pass's settings: a few MB per entry (N x 16 candidates), so repeated evaluations of generated
# sets against one real set (checkpoints, seeds, variants) cost only the generated side.
_REAL_PASS_MEMO = Memo(maxsize=2)


@dataclass(frozen=True)
class BallTest:
    """Which rows of the other set lie in the k-NN balls of ``centres`` (``"real"`` or ``"fake"``),
    with ``d <= radius`` (``inclusive``) or ``d < radius``; per query row (the other set) and per
    ball, ``"count"``, ``"any"`` or ``None`` (see :func:`~ganbench.numerics.distances.ball_members`)."""

    centres: str
    k: int
    inclusive: bool
    per_query: Want = "count"
    per_ref: Want = "count"


@dataclass(frozen=True)
class KidPlan:
    """KID's rounds: ``subsets`` draws of ``subset_size`` rows per set from RandomState(seed)."""

    subsets: int
    subset_size: int
    degree: int
    seed: int


@dataclass
class Needs:
    """What the measures of a battery ask of one real/fake pair."""

    knn: dict[str, int] = field(default_factory=dict)  # side -> largest k of its radii
    tests: set[BallTest] = field(default_factory=set)
    kid: set[KidPlan] = field(default_factory=set)

    def add(self, other: Needs) -> None:
        for side, k in other.knn.items():
            self.knn[side] = max(k, self.knn.get(side, 0))
        self.tests |= other.tests
        self.kid |= other.kid

    def __bool__(self) -> bool:
        return bool(self.knn or self.tests or self.kid)


class _KidSums:
    """Each round's kernel sums within the generated subset, within the real one and across,
    accumulated tile by tile from distance tiles (float64 totals)."""

    def __init__(self, plan: KidPlan, n_real: int, n_fake: int, norms: dict[str, torch.Tensor], dim: int):
        self.plan, self.dim, self.n_fake = plan, dim, n_fake
        device = norms["real"].device
        self.whole = plan.subset_size == n_real and plan.subset_size == n_fake
        rounds = (
            [(np.arange(n_fake), np.arange(n_real))]
            if self.whole
            else kid_rounds(n_real, n_fake, plan.subsets, plan.subset_size, plan.seed)
        )
        # round x row indicators [rounds, N]: a tile's columns are a contiguous block for row_products
        self.members = {
            "fake": torch.zeros((len(rounds), n_fake), dtype=torch.float32, device=device),
            "real": torch.zeros((len(rounds), n_real), dtype=torch.float32, device=device),
        }
        for s, (fake_positions, real_positions) in enumerate(rounds):
            self.members["fake"][s, torch.from_numpy(fake_positions).to(device)] = 1.0
            self.members["real"][s, torch.from_numpy(real_positions).to(device)] = 1.0
        # x·y / d + 1 = a_i + a_j − ‖x_i − x_j‖² / (2d), with a = ‖x‖² / (2d) + 1/2
        self.halves = {side: (norms[side] / (2.0 * dim) + 0.5).float() for side in SIDES}
        self.sums = {
            pair: torch.zeros(len(rounds), dtype=torch.float64, device=device) for pair in ("ff", "rr", "fr")
        }
        self._scratch = torch.empty(0, dtype=torch.float32, device=device)

    def add(self, pair: str, rows: slice, cols: slice, d2: torch.Tensor, *, mirrored: bool) -> None:
        """Add a tile of ``pair`` ("ff", "rr": a set with itself; "fr": generated rows x real
        columns). ``mirrored``: an off-diagonal tile of a symmetric pass, which stands for its
        transpose too. A diagonal tile's masked entries (a row with itself) are left out."""
        row_side, col_side = {"ff": ("fake", "fake"), "rr": ("real", "real"), "fr": ("fake", "real")}[pair]
        n = d2.numel()
        if self._scratch.numel() < n:
            self._scratch = torch.empty(n, dtype=torch.float32, device=d2.device)
        kernel = torch.add(
            self.halves[row_side][rows, None],
            self.halves[col_side][None, cols],
            out=self._scratch[:n].view(d2.shape),
        )
        kernel.add_(d2, alpha=-0.5 / self.dim).pow_(self.plan.degree)
        if pair != "fr" and rows.start == cols.start:
            kernel.fill_diagonal_(0.0)
        in_rounds = row_products(kernel, self.members[col_side][:, cols])  # [rows, rounds]
        per_round = in_rounds * self.members[row_side][:, rows].T
        self.sums[pair] += (2.0 if mirrored else 1.0) * per_round.sum(dim=0, dtype=torch.float64)

    def value(self) -> tuple[float, float]:
        """(kid, kid_std): the mean and std (divisor = rounds) of the rounds' unbiased MMD²."""
        m = self.plan.subset_size
        within = (self.sums["ff"] + self.sums["rr"]) / (m * (m - 1))
        mmd = (within - 2.0 * self.sums["fr"] / (m * m)).cpu().numpy()
        if self.whole:
            return float(mmd[0]), 0.0
        return float(mmd.mean()), float(mmd.std())


class SharedPass:
    """The results of one shared pass over ``real`` [N, D] and ``fake`` [M, D] for ``needs``.

    Attributes:
        candidates: side -> :class:`~ganbench.numerics.distances.SelfCandidates` of its k-NN pass.
        members: ball test -> :class:`~ganbench.numerics.distances.BallMembers` (query: the other
            set's rows; ref: the ball centres).
        kid: plan -> (kid, kid_std).
    """

    def __init__(
        self,
        real: np.ndarray,
        fake: np.ndarray,
        needs: Needs,
        *,
        device: torch.device | str = "cpu",
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        self.arrays = {
            "real": as_features("real", real, min_rows=2),
            "fake": as_features("fake", fake, min_rows=2),
        }
        same_width(real=self.arrays["real"], fake=self.arrays["fake"])
        self.needs = needs
        self.device = torch.device(device)
        self.chunk = chunk_size
        self.candidates: dict[str, SelfCandidates] = {}
        self.members: dict[BallTest, BallMembers] = {}
        self.kid: dict[KidPlan, tuple[float, float]] = {}
        self._fingerprints: dict[str, str] = {}
        self._compute()

    def _fingerprint(self, side: str) -> str:
        """The content key of one side's array, hashed once (the array is read-only while shared)."""
        if side not in self._fingerprints:
            self._fingerprints[side] = content_hash(self.arrays[side])
        return self._fingerprints[side]

    def _compute(self) -> None:
        real, fake = self.arrays["real"], self.arrays["fake"]
        centre = centre_point(real)
        passes = {
            side: _Pass(self.arrays[side], None, self.device, self.chunk, centre=centre) for side in SIDES
        }
        raw_norms = {side: _squared_norms(passes[side].raw_q) for side in SIDES}
        kid_sums = [_KidSums(plan, len(real), len(fake), raw_norms, real.shape[1]) for plan in self.needs.kid]
        knn_sides = set(self.needs.knn) | {test.centres for test in self.needs.tests}
        with float32_products():
            for side in SIDES:
                self._self_pass(side, passes[side], knn_sides, kid_sums)
            radii = self._radii()
            cross = _Pass.between(passes["fake"], passes["real"])  # generated rows x real columns
            self._cross_pass(cross, radii, kid_sums)
        for sums in kid_sums:
            self.kid[sums.plan] = sums.value()

    def _self_pass(self, side: str, p: _Pass, knn_sides: set[str], kid_sums: list[_KidSums]) -> None:
        n = p.n_q
        want = side in knn_sides and n > 1
        k_max = max([self.needs.knn.get(side, 1)] + [t.k for t in self.needs.tests if t.centres == side])
        keep = min(max(k_max, _KNN_MIN_K) + _KNN_EXTRA, n - 1)
        if not want and not kid_sums:
            return
        pair = "rr" if side == "real" else "ff"
        key = None
        if side == "real":  # evaluations against one real set pay for its pass once
            plans = tuple(sorted((repr(sums.plan), sums.n_fake) for sums in kid_sums))
            key = ("real-self-pass", self._fingerprint("real"), self.chunk, keep if want else 0, plans)
            found = _REAL_PASS_MEMO.get(key)
            if found is not None:
                candidates, real_sums = found
                if candidates is not None:
                    self.candidates[side] = candidates
                for sums in kid_sums:
                    sums.sums[pair] = real_sums[sums.plan].clone()
                return
        scan = _KnnScan(p, keep, exclude_self=True, keep=keep) if want else None
        for rows, cols, d2 in _upper_tiles(p):
            mirrored = cols.start != rows.start
            for sums in kid_sums:
                sums.add(pair, rows, cols, d2, mirrored=mirrored)
            if scan is not None:
                scan.add_upper(rows, cols, d2)
        if scan is not None:
            self.candidates[side] = SelfCandidates.from_scan(scan)
        if key is not None:
            real_sums = {sums.plan: sums.sums[pair].clone() for sums in kid_sums}
            _REAL_PASS_MEMO.put(key, (self.candidates.get(side), real_sums))

    def radius(self, side: str, k: int) -> np.ndarray:
        """The exact k-NN radii of one side's rows (read-only float64 [N])."""
        return self.candidates[side].radius(self.arrays[side], k, device=self.device, chunk_size=self.chunk)

    def _radii(self) -> dict[BallTest, torch.Tensor]:
        return {test: to_tensor(self.radius(test.centres, test.k), self.device) for test in self.needs.tests}

    def _cross_pass(self, p: _Pass, radii: dict[BallTest, torch.Tensor], kid_sums: list[_KidSums]) -> None:
        if not radii and not kid_sums:
            return
        members = {}
        for test, radius in radii.items():
            on_real = test.centres == "real"  # generated rows x real columns: real balls are columns
            per_row, per_col = (test.per_query, test.per_ref) if on_real else (test.per_ref, test.per_query)
            along = "cols" if on_real else "rows"
            members[test] = CrossMembers(
                p, radius, test.inclusive, along=along, per_row=per_row, per_col=per_col
            )
        for rows in chunks(p.n_q, p.chunk):
            for cols in chunks(p.n_r, p.chunk):
                d2 = p.squared(rows, cols)
                for test_members in members.values():
                    test_members.add(rows, cols, d2)
                for sums in kid_sums:
                    sums.add("fr", rows, cols, d2, mirrored=False)
        self.members = {test: test_members.result() for test, test_members in members.items()}

    def answer(self, question: str, *args: object) -> object | None:
        """Answers for :mod:`~ganbench.numerics.active_pass` about this pass's own arrays only."""
        side_of = {id(a): side for side, a in self.arrays.items()}
        if question == "checked":  # finite, 2-D, C-contiguous: as_features checked it on the way in
            return True if id(args[0]) in side_of else None
        if question == "fingerprint":
            side = side_of.get(id(args[0]))
            return self._fingerprint(side) if side is not None else None
        if question == "radius":
            x, k = args
            side = side_of.get(id(x))
            candidates = self.candidates.get(side) if side else None
            everyone = candidates is not None and candidates.kept == len(self.arrays[side]) - 1
            if candidates is None or (k > candidates.kept - _KNN_EXTRA and not everyone):
                return None
            return self.radius(side, int(k))
        if question == "members":
            query, ref, radii, inclusive = args
            centres, other = side_of.get(id(ref)), side_of.get(id(query))
            if centres is None or other is None or centres == other:
                return None
            for test, members in self.members.items():
                same_radii = radii is self.candidates[centres].radii.get(test.k)
                if test.centres == centres and test.inclusive == inclusive and same_radii:
                    return members
            return None
        if question == "kid":
            real, fake, plan = args
            if real is self.arrays["real"] and fake is self.arrays["fake"]:
                return self.kid.get(plan)
        return None


def _squared_norms(x: torch.Tensor) -> torch.Tensor:
    """Float64 squared norms of the rows of x [N, D], in row blocks."""
    out = torch.empty(x.shape[0], dtype=torch.float64, device=x.device)
    for part in chunks(x.shape[0], 1024):
        block = x[part].double()
        out[part] = (block * block).sum(dim=1)
    return out


@contextmanager
def sharing(
    real: np.ndarray, fake: np.ndarray, needs: Needs, *, device: torch.device | str = "cpu"
) -> Iterator[SharedPass | None]:
    """Compute the shared pass for ``needs`` and let the measures inside the block use it.

    ``real`` and ``fake`` must be the very arrays the measures will be given (float32 or float64
    [N, D], C-contiguous); those that own their data are read-only inside the block. Yields
    ``None`` (and shares nothing) when nothing is needed.
    """
    if not needs:
        yield None
        return
    shared = SharedPass(real, fake, needs, device=device)
    # Read-only while the pass answers for them, where that can be undone afterwards: an array that
    # owns its data can always be made writable again; a view of someone else's buffer is left alone.
    locked = [a for a in shared.arrays.values() if a.flags.writeable and a.flags.owndata]
    for a in locked:
        a.setflags(write=False)
    active_pass.register(shared)
    try:
        yield shared
    finally:
        active_pass.unregister(shared)
        for a in locked:
            a.setflags(write=True)


def kid_alone(
    real: np.ndarray, fake: np.ndarray, plan: KidPlan, *, device: torch.device | str = "cpu"
) -> tuple[float, float]:
    """KID of one pair from its own pass (the three Gram passes with only KID's sums)."""
    return SharedPass(real, fake, Needs(kid={plan}), device=device).kid[plan]
