"""THE training loop, shared by every variant, with budget accounting in kimg.

The budget counts thousands of real images shown to the discriminator, so a variant with 5
critic steps per generator step sees no more data than one with 1 (it gets fewer generator
steps instead). An optional wall-clock cap stops training early; when it binds, the run is
no longer reproducible to the step, and the achieved kimg says so.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

import torch
from torch import nn
from tqdm.auto import tqdm

from ganbench.config import TrainConfig
from ganbench.images import uint8_to_signed
from ganbench.networks import with_spectral_norm, without_batch_norm
from ganbench.seeding import seeded
from ganbench.training.resume import (
    RUNNING,
    TrainingCheckpoints,
    TrainingState,
    job_fingerprint,
    moved,
    read_training_state,
    write_training_state,
)
from ganbench.variants import Variant


@dataclass
class TrainResult:
    """What one training run produced.

    Attributes:
        generator, discriminator: the final networks (eval mode).
        kimg: real images shown to D, in thousands (>= the budget unless stopped early).
        g_steps, d_steps: optimiser steps taken.
        seconds: wall-clock training time.
        status: ``"ok"``, ``"diverged"`` (a loss became NaN/inf) or ``"time-cap"``.
        diverged_at_step: the D step at which a loss stopped being finite, else None.
        losses: rows ``{"g_step", "d_step", "kimg", "d_loss", "g_loss"}`` (and a stateful objective's
            logged values, e.g. BEGAN's ``k`` and ``convergence``), one per log interval.
        resumed_from_kimg: the kimg of the training checkpoint this call continued from, None
            when it started fresh (``seconds`` then counts every process's training time).
    """

    generator: nn.Module
    discriminator: nn.Module
    kimg: float
    g_steps: int
    d_steps: int
    seconds: float
    status: str
    diverged_at_step: int | None = None
    losses: list[dict[str, float]] = field(default_factory=list)
    resumed_from_kimg: float | None = None


@dataclass(frozen=True)
class Checkpoint:
    """Where training stands when a checkpoint evaluation is due.

    Attributes:
        generator: the generator being trained, in eval mode for the duration of the callback
            (its train mode is restored afterwards); do not step or modify it.
        kimg: real images shown to D so far, in thousands; g_steps, d_steps: optimiser steps so far.
    """

    generator: nn.Module
    kimg: float
    g_steps: int
    d_steps: int


class _FiniteWatch:
    """The first D step whose loss (D's, or G's after it) was not finite, kept on the device.

    Reading a loss on the host waits for the device to finish the step; on a GPU that stall costs
    more than these small networks' steps. The check is therefore a device-side minimum, read
    every ``every`` G steps (every step on the CPU, where reading costs nothing), so a run that
    diverges stops at most ``every`` G steps later and still reports the exact first step.
    """

    def __init__(self, device: torch.device, every: int) -> None:
        self.every = every
        self.never = torch.iinfo(torch.int64).max
        self.earliest = torch.full((), self.never, dtype=torch.int64, device=device)

    def see(self, loss: torch.Tensor, step: int) -> None:
        bad = ~torch.isfinite(loss.detach())
        self.earliest = torch.where(bad, torch.clamp(self.earliest, max=step), self.earliest)

    def due(self, g_steps: int) -> bool:
        return g_steps % self.every == 0

    def first(self) -> int | None:
        value = int(self.earliest)
        return None if value == self.never else value

    def state_dict(self) -> dict[str, torch.Tensor]:
        """The first non-finite step so far (a device scalar; not read on the host)."""
        return {"earliest": self.earliest}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        self.earliest = state["earliest"].to(self.earliest.device)


class _RealBatches:
    """The real batches D sees: an epoch-wise shuffled stream of ``data`` [N, C, H, W] on the device.

    Each epoch is one ``randperm`` of the shuffle generator (on the CPU, so a CPU and a CUDA run
    of one seed see the same order), copied to the device once; it yields ``N // batch_size``
    batches and drops the incomplete last one. ``classes`` (int64 [N]) come with their images.
    """

    def __init__(
        self,
        data: torch.Tensor,
        classes: torch.Tensor | None,
        batch_size: int,
        seed: int,
        layout: torch.memory_format,
    ) -> None:
        self.data, self.classes, self.batch_size, self.layout = data, classes, batch_size, layout
        self.per_epoch = data.shape[0] // batch_size
        self.rng = torch.Generator().manual_seed(seed)
        self.order, self.cursor = self._epoch(), 0

    def _epoch(self) -> torch.Tensor:
        return torch.randperm(self.data.shape[0], generator=self.rng).to(self.data.device)

    def next(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The next real batch [B, C, H, W] in the training layout, and its classes [B] (or None)."""
        if self.cursor == self.per_epoch:
            self.order, self.cursor = self._epoch(), 0
        idx = self.order[self.cursor * self.batch_size : (self.cursor + 1) * self.batch_size]
        self.cursor += 1
        real = self.data[idx].contiguous(memory_format=self.layout)
        return real, None if self.classes is None else self.classes[idx]

    def state_dict(self) -> dict[str, torch.Tensor | int]:
        """The shuffle generator's state (uint8, CPU), this epoch's order (int64 [N]) and the cursor."""
        return {"shuffle_rng": self.rng.get_state(), "order": self.order, "cursor": self.cursor}

    def load_state_dict(self, state: dict[str, torch.Tensor | int]) -> None:
        shuffle_rng, order, cursor = state["shuffle_rng"], state["order"], state["cursor"]
        assert isinstance(shuffle_rng, torch.Tensor) and isinstance(order, torch.Tensor)
        self.rng.set_state(shuffle_rng)
        self.order, self.cursor = order.to(self.data.device), int(cursor)


def build_networks(
    variant: Variant, channels: int, image_size: int, seed: int, num_classes: int | None = None
) -> tuple[nn.Module, nn.Module]:
    """G and D of ``variant``, initialised from ``seed`` without touching the global RNG.

    A conditional variant needs ``num_classes`` (its networks embed the labels)."""
    classes: tuple[int, ...] = ()
    if variant.conditional:
        if num_classes is None or num_classes < 1:
            raise ValueError(f"{variant.name} is class-conditional: build it with num_classes >= 1")
        classes = (num_classes,)
    with seeded(seed):
        generator = variant.build_generator(variant.latent_dim, channels, image_size, *classes)
        discriminator = variant.build_discriminator(channels, image_size, *classes)
        if not variant.discriminator_batch_norm:
            discriminator = without_batch_norm(discriminator)
        if variant.spectral_norm:
            discriminator = with_spectral_norm(discriminator)
    return generator, discriminator


def make_optimizer(
    variant: Variant, parameters: Iterable[nn.Parameter], lr: float, *, fused: bool = False
) -> torch.optim.Optimizer:
    """The variant's optimiser over ``parameters``: Adam with its betas, or RMSprop (the original
    WGAN's, torch's defaults otherwise). ``fused``: Adam's one-kernel step (another rounding order)."""
    if variant.optimizer == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=lr)
    return torch.optim.Adam(parameters, lr=lr, betas=variant.betas, **({"fused": True} if fused else {}))


def clip_weights(discriminator: nn.Module, bound: float) -> None:
    """Clamp every parameter of D to [-bound, bound] in place (Arjovsky et al. 2017, Algorithm 1)."""
    with torch.no_grad():
        for parameter in discriminator.parameters():
            parameter.clamp_(-bound, bound)


def train(
    variant: Variant,
    images: torch.Tensor,
    settings: TrainConfig,
    *,
    seed: int,
    device: torch.device | str = "cpu",
    progress: bool = True,
    every_kimg: float | None = None,
    on_checkpoint: Callable[[Checkpoint], None] | None = None,
    labels: torch.Tensor | None = None,
    num_classes: int | None = None,
    checkpoints: TrainingCheckpoints | None = None,
) -> TrainResult:
    """Train ``variant`` on ``images`` (uint8 [N, C, H, W]) until the budget of ``settings`` is spent.

    ``settings`` (:class:`~ganbench.config.TrainConfig`, the one home of the defaults) gives
    the budget in kimg, the optional wall-clock cap, the batch size, the logging interval and the
    kernels: ``"reference"`` computes exactly what a plain PyTorch loop of the same networks
    computes (``benchmarks/train_speed.py`` checks the losses bit for bit); ``"fast"`` keeps
    images and convolution weights channels-last and steps a fused Adam, the same float32 math
    in another rounding order (faster on CPUs and GPUs; a run is then not bit-identical to a
    reference run of the same seed, as training amplifies the first differences); ``"bf16"`` is
    ``"fast"`` with the forward passes (and the penalty's) in bfloat16 autocast: mixed
    precision, with float32 weights, optimiser state and losses. It changes what is trained, so
    its effect on the measures is reported (``benchmarks/mixed_precision.py``); it is fast only
    where bfloat16 has hardware (AVX512-BF16 or AMX CPUs, Ampere or later GPUs).
    Each discriminator step draws the next real batch of an epoch-wise shuffled stream; a
    generator step follows every ``variant.critic_steps`` discriminator steps. Every random
    draw (initialisation, shuffling, z, penalty interpolation) comes from ``seed``.
    Training stops, with ``status="diverged"``, after the first non-finite loss (at the next
    generator step on the CPU, within ``log_every`` generator steps on a GPU, see
    :class:`_FiniteWatch`), and reports the discriminator step where it happened.

    With ``every_kimg`` and ``on_checkpoint``, ``on_checkpoint`` is called after the first
    generator step at or past each multiple of ``every_kimg`` below the budget (the end of
    training is the caller's final evaluation). It must not draw from the global RNG or change
    the networks: the training draws come from their own seeded generators, so a run with
    checkpoints trains exactly as one without.

    A class-conditional variant (``variant.conditional``) needs ``labels`` (int64 [N], the
    images' classes in [0, ``num_classes``)). Its D step generates the fakes for the real batch's
    classes and judges both with those labels (a penalty differentiates D with them bound); its G
    step draws the classes uniformly from the step generator. Unconditional variants ignore the
    labels and draw exactly what they drew before conditioning existed.

    With ``checkpoints`` (:class:`~ganbench.training.resume.TrainingCheckpoints`), the job's state
    (:class:`~ganbench.training.resume.TrainingState`) is saved to ``checkpoints.path`` at the
    G-step boundaries where a save is due and once at the end, and a call that finds the file
    continues from it: its losses, networks and counters are bit for bit those of an
    uninterrupted run, ``seconds`` sums every call's training time (the wall-clock cap counts it
    all), ``resumed_from_kimg`` says where it resumed, and ``on_checkpoint`` is not called again for
    the evaluations before that point. A finished job's file gives its final state back without
    training. Saving reads the state only at those boundaries (no per-step copy or device sync).
    A file of another job, or one that cannot be read, raises
    :class:`~ganbench.training.resume.CheckpointMismatchError` before anything is built.
    """
    batch_size, log_every = settings.batch_size, settings.log_every
    if images.shape[0] < batch_size:
        raise ValueError(f"batch size {batch_size} exceeds the {images.shape[0]} training images")
    if variant.conditional and (labels is None or num_classes is None):
        raise ValueError(f"{variant.name} is class-conditional: train it with labels and num_classes")
    device = torch.device(device)
    fingerprint: dict[str, str] = {}
    saved: TrainingState | None = None
    if checkpoints is not None:
        fingerprint = job_fingerprint(
            variant, settings, seed=seed, images=images, labels=labels, num_classes=num_classes, device=device
        )
        saved = read_training_state(checkpoints.path, fingerprint)
    channels, image_size = int(images.shape[1]), int(images.shape[-1])
    generator, discriminator = build_networks(variant, channels, image_size, seed, num_classes)
    fast = settings.kernels in ("fast", "bf16")
    mixed = settings.kernels == "bf16"
    layout = torch.channels_last if fast else torch.contiguous_format
    generator.to(device, memory_format=layout).train()
    discriminator.to(device, memory_format=layout).train()
    opt_g = make_optimizer(variant, generator.parameters(), variant.lr_g, fused=fast)
    opt_d = make_optimizer(variant, discriminator.parameters(), variant.lr_d, fused=fast)

    rng = torch.Generator(device=device).manual_seed(seed)
    data = uint8_to_signed(images).to(device).contiguous(memory_format=layout)
    budget_images = math.ceil(settings.kimg * 1000)
    classes = labels.to(device) if variant.conditional and labels is not None else None
    batches = _RealBatches(data, classes, batch_size, seed, layout)

    def latent() -> torch.Tensor:
        return torch.randn(batch_size, variant.latent_dim, generator=rng, device=device)

    def generate(z: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        return generator(z) if y is None else generator(z, y)

    def judge(x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        scores = discriminator(x) if y is None else discriminator(x, y)
        return scores.float()  # the losses in float32 (a float32 tensor is returned as it is)

    def forwards() -> torch.autocast:
        """bf16 mixed precision for the forward passes with ``kernels="bf16"``; otherwise off."""
        return torch.autocast(device.type, dtype=torch.bfloat16, enabled=mixed)

    def g_step_classes() -> torch.Tensor | None:
        if classes is None or num_classes is None:
            return None
        return torch.randint(num_classes, (batch_size,), generator=rng, device=device)

    state = variant.objective_state() if variant.objective_state is not None else None
    shown = g_steps = d_steps = 0
    watch = _FiniteWatch(device, every=1 if device.type == "cpu" else log_every)
    evaluation_every = every_kimg * 1000 if every_kimg and on_checkpoint else math.inf
    next_checkpoint = evaluation_every
    status, diverged_at, spent = "ok", None, 0.0
    losses: list[dict[str, float]] = []
    if saved is not None:
        generator.load_state_dict(saved.generator)
        discriminator.load_state_dict(saved.discriminator)
        opt_g.load_state_dict(saved.optimizer_g)
        opt_d.load_state_dict(saved.optimizer_d)
        rng.set_state(saved.step_rng)
        batches.load_state_dict(saved.real_batches)
        watch.load_state_dict(saved.finite_watch)
        if state is not None and saved.objective is not None:
            state.load_state_dict(moved(saved.objective, device))
        shown, g_steps, d_steps, losses = saved.shown, saved.g_steps, saved.d_steps, saved.losses
        spent = saved.seconds
        next_checkpoint = (  # recomputed when this call evaluates on another schedule than the saver
            saved.next_evaluation
            if saved.evaluation_every == evaluation_every
            else _next_evaluation(evaluation_every, evaluation_every, shown)
        )
    finished = saved is not None and saved.status != RUNNING  # a finished job's file: its final state
    if finished:
        assert saved is not None
        status = saved.status
    start = last_save = time.perf_counter()

    def elapsed() -> float:
        return spent + time.perf_counter() - start

    def save(as_status: str, seconds: float) -> None:
        assert checkpoints is not None
        objective = state.state_dict() if state is not None else None
        snapshot = TrainingState(
            generator=generator.state_dict(),
            discriminator=discriminator.state_dict(),
            optimizer_g=opt_g.state_dict(),
            optimizer_d=opt_d.state_dict(),
            step_rng=rng.get_state(),
            real_batches=batches.state_dict(),
            shown=shown,
            g_steps=g_steps,
            d_steps=d_steps,
            next_evaluation=next_checkpoint,
            evaluation_every=evaluation_every,
            losses=losses,
            finite_watch=watch.state_dict(),
            objective=objective,
            seconds=seconds,
            status=as_status,
        )
        write_training_state(checkpoints.path, fingerprint, snapshot)

    bar = tqdm(
        total=budget_images,
        initial=shown,
        unit="img",
        unit_scale=True,
        desc=variant.name,
        disable=None if progress else True,
        leave=False,
    )
    while not finished and shown < budget_images:
        if settings.budget_seconds is not None and elapsed() >= settings.budget_seconds:
            status = "time-cap"
            break
        if variant.joint_loss is not None:  # one step of both networks on one real batch (the VAE)
            real, _ = batches.next()
            with forwards():
                loss, parts = variant.joint_loss(generator, discriminator, real, rng)
            opt_d.zero_grad(set_to_none=True)
            opt_g.zero_grad(set_to_none=True)
            loss.backward()
            opt_d.step()
            opt_g.step()
            d_steps, g_steps, shown = d_steps + 1, g_steps + 1, shown + batch_size
            bar.update(batch_size)
            d_loss, g_loss = parts["d_loss"], parts["g_loss"]
            watch.see(loss, d_steps)
        else:
            for _ in range(variant.critic_steps):
                real, real_classes = batches.next()
                with forwards():
                    with torch.no_grad():
                        fake = generate(latent(), real_classes)
                    real_scores, fake_scores = judge(real, real_classes), judge(fake, real_classes)
                    keywords = state.loss_keywords() if state is not None else {}
                    d_loss = variant.discriminator_loss(real_scores, fake_scores, **keywords)
                    if variant.penalty is not None:
                        critic = discriminator if real_classes is None else partial(judge, y=real_classes)
                        d_loss = d_loss + variant.penalty(critic, real, fake, rng)
                opt_d.zero_grad(set_to_none=True)
                d_loss.backward()
                opt_d.step()
                if variant.weight_clip is not None:
                    clip_weights(discriminator, variant.weight_clip)
                if state is not None:
                    state.update(real_scores.detach(), fake_scores.detach())
                d_steps += 1
                shown += batch_size
                bar.update(batch_size)
                watch.see(d_loss, d_steps)
            # D's weight gradients of the G step are never used (the next D step starts from zero):
            # with D frozen, the backward computes only the input gradients G needs, with the same
            # kernels, so G's gradients and the losses stay bit-identical to a plain loop's.
            discriminator.requires_grad_(False)
            z, fake_classes = latent(), g_step_classes()
            with forwards():
                g_loss = variant.generator_loss(judge(generate(z, fake_classes), fake_classes))
            opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            discriminator.requires_grad_(True)
            opt_g.step()
            g_steps += 1
            watch.see(g_loss, d_steps)
        if watch.due(g_steps) and (diverged_at := watch.first()) is not None:
            status = "diverged"
            break
        if g_steps % log_every == 0 or shown >= budget_images:
            losses.append(
                {
                    "g_step": g_steps,
                    "d_step": d_steps,
                    "kimg": shown / 1000,
                    "d_loss": d_loss.item(),
                    "g_loss": g_loss.item(),
                }
                | (state.logged() if state is not None else {})
            )
            bar.set_postfix(d=f"{d_loss.item():.3f}", g=f"{g_loss.item():.3f}")
        if shown >= next_checkpoint and shown < budget_images:
            assert on_checkpoint is not None and every_kimg is not None
            generator.eval()
            on_checkpoint(Checkpoint(generator, shown / 1000, g_steps, d_steps))
            generator.train()
            next_checkpoint = _next_evaluation(next_checkpoint, evaluation_every, shown)
        if (
            checkpoints is not None
            and shown < budget_images  # the end saves anyway
            and checkpoints.due(g_steps, time.perf_counter() - last_save)
        ):
            save(RUNNING, elapsed())
            last_save = time.perf_counter()
    bar.close()
    if (first_bad := watch.first()) is not None:  # after the last check, or a finished job's
        status, diverged_at = "diverged", first_bad
    seconds = elapsed()
    if checkpoints is not None and not finished:
        save(status, seconds)
    generator.eval()
    discriminator.eval()
    return TrainResult(
        generator=generator,
        discriminator=discriminator,
        kimg=shown / 1000,
        g_steps=g_steps,
        d_steps=d_steps,
        seconds=seconds,
        status=status,
        diverged_at_step=diverged_at,
        losses=losses,
        resumed_from_kimg=None if saved is None else saved.shown / 1000,
    )


def _next_evaluation(threshold: float, every: float, shown: int) -> float:
    """The first evaluation threshold (images) past ``shown``, stepping from ``threshold`` by ``every``:
    the same float additions at every call, so a resumed job's schedule is an uninterrupted one's."""
    while threshold <= shown:
        threshold += every
    return threshold
