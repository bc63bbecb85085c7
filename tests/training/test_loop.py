import dataclasses
import math

import pytest
import torch
from torch import nn

from ganbench.config import TrainConfig
from ganbench.registry import VARIANTS
from ganbench.training.loop import Checkpoint, train
from ganbench.training.sampling import sample
from ganbench.variants import Variant


@pytest.mark.parametrize("name,critic_steps", [("dcgan", 1), ("wgan-gp", 5)])
def test_budget_counts_real_images_shown_to_the_discriminator(
    name: str, critic_steps: int, images: torch.Tensor
) -> None:
    result = train(VARIANTS[name], images, TrainConfig(kimg=0.32, batch_size=16), seed=0, progress=False)
    assert result.d_steps * 16 == round(result.kimg * 1000)
    assert 320 <= result.kimg * 1000 < 320 + 16 * critic_steps  # overshoot at most one G cycle
    assert result.d_steps == critic_steps * result.g_steps
    # equal data, not equal steps: 5 critic steps mean 5x fewer generator steps
    assert result.g_steps == math.ceil(320 / (16 * critic_steps))


def test_wall_clock_cap_stops_early(images: torch.Tensor) -> None:
    result = train(
        VARIANTS["vanilla"],
        images,
        TrainConfig(kimg=1000, budget_seconds=0.5, batch_size=16),
        seed=0,
        progress=False,
    )
    assert result.status == "time-cap" and result.kimg < 1000 and result.seconds < 5


def test_divergence_is_detected_with_its_step(images: torch.Tensor) -> None:
    base = VARIANTS["vanilla"]

    def exploding_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        loss = base.discriminator_loss(real, fake)
        return loss * torch.tensor(float("inf")) if exploding_loss.calls >= 2 else loss

    exploding_loss.calls = 0  # type: ignore[attr-defined]

    def counting(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        exploding_loss.calls += 1  # type: ignore[attr-defined]
        return exploding_loss(real, fake)

    variant = Variant(**{**base.__dict__, "name": "exploding", "discriminator_loss": counting})
    result = train(variant, images, TrainConfig(kimg=1, batch_size=16), seed=0, progress=False)
    assert result.status == "diverged" and result.diverged_at_step == 2  # the second D step is the first inf


def test_losses_are_logged(images: torch.Tensor) -> None:
    result = train(
        VARIANTS["vanilla"],
        images,
        TrainConfig(kimg=0.16, batch_size=16, log_every=2),
        seed=0,
        progress=False,
    )
    assert [row["g_step"] for row in result.losses] == [2, 4, 6, 8, 10]
    assert set(result.losses[0]) == {"g_step", "d_step", "kimg", "d_loss", "g_loss"}


def test_sample_is_uint8_and_seeded() -> None:
    g = nn.Sequential(nn.Linear(8, 784), nn.Tanh(), nn.Unflatten(1, (1, 28, 28)))
    a = sample(g, 10, latent_dim=8, seed=1, batch_size=4)
    assert a.dtype == torch.uint8 and a.shape == (10, 1, 28, 28)
    assert torch.equal(a, sample(g, 10, latent_dim=8, seed=1))
    assert not torch.equal(a, sample(g, 10, latent_dim=8, seed=2))


def test_checkpoints_are_called_on_schedule_and_do_not_change_training(images: torch.Tensor) -> None:
    settings = TrainConfig(kimg=0.32, batch_size=16)
    seen: list[tuple[float, int, bool]] = []

    def look(point: Checkpoint) -> None:
        seen.append((point.kimg, point.g_steps, point.generator.training))
        sample(point.generator, 8, latent_dim=VARIANTS["dcgan"].latent_dim, seed=1)  # what the pipeline does

    plain = train(VARIANTS["dcgan"], images, settings, seed=0, progress=False)
    watched = train(
        VARIANTS["dcgan"], images, settings, seed=0, progress=False, every_kimg=0.1, on_checkpoint=look
    )
    assert [(kimg, steps) for kimg, steps, _ in seen] == [(0.112, 7), (0.208, 13), (0.304, 19)]
    assert not any(training for *_, training in seen)  # evaluated in eval mode
    after = zip(plain.generator.state_dict().values(), watched.generator.state_dict().values(), strict=True)
    assert all(torch.equal(a, b) for a, b in after)
    assert plain.losses == watched.losses


def test_fast_kernels_train_the_same_networks_channels_last(images: torch.Tensor) -> None:
    settings = TrainConfig(kimg=0.16, batch_size=16, log_every=2, kernels="fast")
    fast = train(VARIANTS["dcgan"], images, settings, seed=0, progress=False)
    reference = train(
        VARIANTS["dcgan"], images, dataclasses.replace(settings, kernels="reference"), seed=0, progress=False
    )
    assert fast.status == "ok" and fast.d_steps == reference.d_steps
    conv = next(m for m in fast.discriminator.modules() if isinstance(m, nn.Conv2d))
    assert conv.weight.is_contiguous(memory_format=torch.channels_last)
    # the same float32 math in another rounding order: the first logged losses agree closely
    first_fast, first_reference = fast.losses[0], reference.losses[0]
    assert first_fast["d_loss"] == pytest.approx(first_reference["d_loss"], rel=1e-3)
    assert first_fast["g_loss"] == pytest.approx(first_reference["g_loss"], rel=1e-3)


@pytest.mark.parametrize("name", ["vanilla", "dcgan", "wgan-gp"])
def test_bf16_kernels_run_the_forward_passes_in_bfloat16_and_keep_float32_weights(
    name: str, images: torch.Tensor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mixed precision: the networks see bfloat16 inside the training forward passes (the penalty's
    too), while weights, optimiser state and losses stay float32; the first losses are the float32
    ones to bfloat16's precision (8 significant bits, compounded over a few layers)."""
    settings = TrainConfig(kimg=0.16, batch_size=16, log_every=2, kernels="bf16")
    seen: set[torch.dtype] = set()
    original = nn.Linear.forward if name == "vanilla" else nn.Conv2d.forward

    def spying(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
        out = original(module, x)
        seen.add(out.dtype)
        return out

    monkeypatch.setattr(nn.Linear if name == "vanilla" else nn.Conv2d, "forward", spying)
    mixed = train(VARIANTS[name], images, settings, seed=0, progress=False)
    monkeypatch.undo()
    reference = train(
        VARIANTS[name], images, dataclasses.replace(settings, kernels="reference"), seed=0, progress=False
    )
    assert seen == {torch.bfloat16}
    assert mixed.status == "ok" and mixed.d_steps == reference.d_steps
    weights = list(mixed.generator.parameters()) + list(mixed.discriminator.parameters())
    assert all(w.dtype == torch.float32 for w in weights)
    assert all(isinstance(row["d_loss"], float) and math.isfinite(row["d_loss"]) for row in mixed.losses)
    first_mixed, first_reference = mixed.losses[0], reference.losses[0]
    assert first_mixed["g_loss"] == pytest.approx(first_reference["g_loss"], rel=0.05, abs=0.05)
    assert first_mixed["d_loss"] == pytest.approx(first_reference["d_loss"], rel=0.05, abs=0.05)
