"""Training steps per second: ganbench's loop against a plain reference loop of the same networks (issue #10).

    python -m benchmarks.train_speed                       # every variant, mnist-5k, batch 64, CPU
    python -m benchmarks.train_speed --variants dcgan --kimg 6.4 --device cuda

The reference loop is written the way the well-known PyTorch examples (``examples/dcgan``,
``examples/mnist``) train: a ``DataLoader`` over a ``TensorDataset`` with a shuffling
``RandomSampler`` and ``drop_last``, ``zero_grad()``, a fresh ``z`` per step, and every step's
losses read with ``.item()`` for the log. It trains ganbench's networks with ganbench's losses,
penalty, critic steps and Adam settings, and draws from the same seeded generators in the same
order (the sampler's permutations from the shuffle generator, ``z`` and the penalty's
interpolation from the step generator), so the two loops compute the same float32 numbers: the
benchmark checks that their loss logs are bit-identical before it reports any speed. That holds
within the first epoch (the default budget, 3.2 kimg of mnist-5k, stays in it): from the second,
``RandomSampler`` is one permutation ahead, as it draws and discards one each time it runs out.

For each variant it reports discriminator steps per second (each consumes one real batch) of the
reference loop, of ganbench's loop with its default ``reference`` kernels (bit-identical losses)
and with ``--train-kernels fast`` (channels-last convolutions, fused Adam: the same float32 math in
another rounding order, so only the first logged losses are compared, by their relative
difference), with ``--train-kernels bf16`` (``fast`` plus bfloat16 autocast in the forward passes:
opt-in mixed precision, which changes what is trained; ``benchmarks/mixed_precision.py`` reports
its effect on the measures), the ratios to the reference loop, and the machine. Wall time
includes everything a training run does after the networks are built (batching, logging,
divergence checks), not the network build.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import statistics
import time
from contextlib import redirect_stdout

import torch
from torch.utils.data import DataLoader, RandomSampler, TensorDataset

from benchmarks.bare_products import machine_lines
from ganbench.config import TrainConfig
from ganbench.images import uint8_to_signed
from ganbench.registry import DATASETS, VARIANTS
from ganbench.training.loop import build_networks, clip_weights, make_optimizer, train
from ganbench.variants import Variant


def reference_loop(
    variant: Variant, images: torch.Tensor, settings: TrainConfig, seed: int, device: torch.device
) -> tuple[float, int, list[tuple[float, float]]]:
    """A plain training loop in the style of the PyTorch examples: (seconds, D steps, losses per G step)."""
    generator, discriminator = build_networks(variant, int(images.shape[1]), int(images.shape[-1]), seed)
    generator.to(device).train()
    discriminator.to(device).train()
    opt_g = make_optimizer(variant, generator.parameters(), variant.lr_g)  # Adam, or the WGAN's RMSprop
    opt_d = make_optimizer(variant, discriminator.parameters(), variant.lr_d)
    rng = torch.Generator(device=device).manual_seed(seed)
    shuffle_rng = torch.Generator().manual_seed(seed)
    dataset = TensorDataset(uint8_to_signed(images))
    loader = DataLoader(
        dataset,
        batch_size=settings.batch_size,
        sampler=RandomSampler(dataset, generator=shuffle_rng),
        drop_last=True,
    )
    budget = settings.kimg * 1000
    shown, d_steps, log = 0, 0, []
    batches = iter(loader)
    start = time.perf_counter()
    with redirect_stdout(io.StringIO()):  # the examples print every 50 steps
        while shown < budget:
            for _ in range(variant.critic_steps):
                try:
                    (real,) = next(batches)
                except StopIteration:
                    batches = iter(loader)
                    (real,) = next(batches)
                real = real.to(device)
                noise = torch.randn(settings.batch_size, variant.latent_dim, generator=rng, device=device)
                with torch.no_grad():
                    fake = generator(noise)
                err_d = variant.discriminator_loss(discriminator(real), discriminator(fake))
                if variant.penalty is not None:
                    err_d = err_d + variant.penalty(discriminator, real, fake, rng)
                discriminator.zero_grad()
                err_d.backward()
                opt_d.step()
                if variant.weight_clip is not None:
                    clip_weights(discriminator, variant.weight_clip)
                d_steps += 1
                shown += settings.batch_size
            noise = torch.randn(settings.batch_size, variant.latent_dim, generator=rng, device=device)
            err_g = variant.generator_loss(discriminator(generator(noise)))
            generator.zero_grad()
            err_g.backward()
            opt_g.step()
            log.append((err_d.item(), err_g.item()))
            if len(log) % 50 == 0:
                print(f"[{len(log)}] Loss_D: {log[-1][0]:.4f} Loss_G: {log[-1][1]:.4f}")
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - start, d_steps, log


def ganbench_loop(
    variant: Variant, images: torch.Tensor, settings: TrainConfig, seed: int, device: torch.device
) -> tuple[float, int, list[dict[str, float]]]:
    """ganbench's loop (network build excluded, as in the reference): (seconds, D steps, loss log)."""
    result = train(variant, images, settings, seed=seed, device=device, progress=False)
    return result.seconds, result.d_steps, result.losses


def first_step_gap(log: list[dict[str, float]], reference: list[tuple[float, float]]) -> float:
    """Largest relative difference of the first logged D and G losses from the reference loop's."""
    d, g = log[0]["d_loss"], log[0]["g_loss"]
    return max(
        abs(d - reference[0][0]) / abs(reference[0][0]), abs(g - reference[0][1]) / abs(reference[0][1])
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", default="vanilla,dcgan,lsgan,wgan-gp")
    parser.add_argument("--dataset", default="mnist-5k")
    parser.add_argument("--kimg", type=float, default=3.2, help="real images shown per run, thousands")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    images = DATASETS[args.dataset]().train.images
    settings = TrainConfig(kimg=args.kimg, batch_size=args.batch_size, log_every=1)
    print(f"## Training speed: {args.dataset}, batch {args.batch_size}, {args.kimg} kimg per run, {device}\n")
    print("\n".join(machine_lines()), "\n")
    print(
        "| variant | reference loop D steps/s | ganbench (reference kernels) | ratio | losses | "
        "ganbench --train-kernels fast | ratio | first losses vs reference | "
        "ganbench --train-kernels bf16 (mixed precision) | ratio | first losses vs reference |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    fast_settings = dataclasses.replace(settings, kernels="fast")
    mixed_settings = dataclasses.replace(settings, kernels="bf16")
    for name in args.variants.split(","):
        variant = VARIANTS[name]
        ref_rates, ours_rates, fast_rates, mixed_rates = [], [], [], []
        same, gap, mixed_gap = True, 0.0, 0.0
        for _ in range(args.repeats):
            seconds, steps, ref_log = reference_loop(variant, images, settings, 0, device)
            ref_rates.append(steps / seconds)
            seconds, steps, our_log = ganbench_loop(variant, images, settings, 0, device)
            ours_rates.append(steps / seconds)
            same &= [(row["d_loss"], row["g_loss"]) for row in our_log] == ref_log
            seconds, steps, fast_log = ganbench_loop(variant, images, fast_settings, 0, device)
            fast_rates.append(steps / seconds)
            gap = max(gap, first_step_gap(fast_log, ref_log))
            seconds, steps, mixed_log = ganbench_loop(variant, images, mixed_settings, 0, device)
            mixed_rates.append(steps / seconds)
            mixed_gap = max(mixed_gap, first_step_gap(mixed_log, ref_log))
        ref = statistics.median(ref_rates)

        def cell(rates: list[float]) -> str:
            return f"{statistics.median(rates):.1f} ({min(rates):.1f}–{max(rates):.1f})"

        ours, fast = statistics.median(ours_rates) / ref, statistics.median(fast_rates) / ref
        mixed = statistics.median(mixed_rates) / ref
        print(
            f"| {name} | {cell(ref_rates)} | {cell(ours_rates)} | {ours:.2f} | "
            f"{'bit-identical' if same else 'DIFFERENT'} | {cell(fast_rates)} | {fast:.2f} | "
            f"within {gap:.1e} relative | {cell(mixed_rates)} | {mixed:.2f} | "
            f"within {mixed_gap:.1e} relative |"
        )


if __name__ == "__main__":
    main()
