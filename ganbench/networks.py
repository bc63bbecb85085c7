"""The networks every variant is built from, sized by image size and channels (never per resolution)."""

from __future__ import annotations

import math

import torch
from torch import nn


def base_resolution(image_size: int) -> int:
    """Spatial size DCGAN stacks start (G) or end (D) at: halve while even and above 7.

    28 -> 7 (two stride-2 layers), 32 -> 4 (three), 64 -> 4 (four).
    """
    size = image_size
    while size > 7 and size % 2 == 0:
        size //= 2
    if size == image_size:
        raise ValueError(f"image size {image_size} cannot be reached by stride-2 layers; use 28, 32 or 64")
    return size


class MLPGenerator(nn.Module):
    """Fully connected generator of the classic MLP GAN: z [B, Z] -> images [B, C, H, W] in [-1, 1]."""

    def __init__(
        self, latent_dim: int, channels: int, image_size: int, hidden: tuple[int, ...] = (256, 512, 1024)
    ):
        super().__init__()
        self.shape = (channels, image_size, image_size)
        layers: list[nn.Module] = []
        width = latent_dim
        for h in hidden:
            layers += [nn.Linear(width, h), nn.LeakyReLU(0.2)]
            width = h
        layers += [nn.Linear(width, math.prod(self.shape)), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z).view(z.shape[0], *self.shape)


class MLPDiscriminator(nn.Module):
    """Fully connected discriminator: images [B, C, H, W] -> scores [B]."""

    def __init__(self, channels: int, image_size: int, hidden: tuple[int, ...] = (512, 256)):
        super().__init__()
        layers: list[nn.Module] = [nn.Flatten()]
        width = channels * image_size * image_size
        for h in hidden:
            layers += [nn.Linear(width, h), nn.LeakyReLU(0.2)]
            width = h
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).view(-1)


class ConvGenerator(nn.Module):
    """DCGAN generator (Radford et al. 2016, arXiv:1511.06434): z [B, Z] -> [B, C, H, W] in [-1, 1].

    A transposed convolution maps z to a ``base x base`` map, then stride-2 transposed
    convolutions (kernel 4) double the size and halve the width, with batch norm and ReLU,
    and a final Tanh.
    """

    def __init__(self, latent_dim: int, channels: int, image_size: int, width: int = 64):
        super().__init__()
        base = base_resolution(image_size)
        n_up = int(math.log2(image_size // base))
        ch = width * 2 ** (n_up - 1)
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(latent_dim, ch, base, 1, 0, bias=False),
            nn.BatchNorm2d(ch),
            nn.ReLU(True),
        ]
        for _ in range(n_up - 1):
            layers += [
                nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=False),
                nn.BatchNorm2d(ch // 2),
                nn.ReLU(True),
            ]
            ch //= 2
        layers += [nn.ConvTranspose2d(ch, channels, 4, 2, 1), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        self.apply(dcgan_init)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z[:, :, None, None])


class ConvDiscriminator(nn.Module):
    """DCGAN discriminator: stride-2 convolutions (kernel 4), LeakyReLU 0.2, images -> scores [B].

    ``batch_norm=False`` gives the WGAN-GP critic, where batch norm would break the
    per-sample gradient penalty (Gulrajani et al. 2017, section 4).
    """

    def __init__(self, channels: int, image_size: int, width: int = 64, batch_norm: bool = True):
        super().__init__()
        base = base_resolution(image_size)
        n_down = int(math.log2(image_size // base))
        layers: list[nn.Module] = [nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        ch = width
        for _ in range(n_down - 1):
            layers.append(nn.Conv2d(ch, ch * 2, 4, 2, 1, bias=not batch_norm))
            if batch_norm:
                layers.append(nn.BatchNorm2d(ch * 2))
            layers.append(nn.LeakyReLU(0.2, True))
            ch *= 2
        layers.append(nn.Conv2d(ch, 1, base, 1, 0))
        self.net = nn.Sequential(*layers)
        self.apply(dcgan_init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).view(-1)


def balanced_classes(batch: int, num_classes: int, device: torch.device) -> torch.Tensor:
    """int64 [batch]: ``0, 1, ..., K - 1, 0, 1, ...``, the labels a conditional G uses when given none."""
    return torch.arange(batch, device=device) % num_classes


class ConditionalConvGenerator(nn.Module):
    """Class-conditional DCGAN generator by concatenation (Mirza & Osindero 2014, arXiv:1411.1784):
    G(z, y) = DCGAN-G([z, onehot(y)]); z [B, Z], labels int64 [B] -> images [B, C, H, W] in [-1, 1].

    Called without labels (as the unconditional measures, interpolations and run-level players
    call every generator), it generates the classes ``0, 1, ..., K - 1, 0, ...`` in turn
    (:func:`balanced_classes`), so any batch of a multiple of K images is class-balanced.
    """

    def __init__(self, latent_dim: int, channels: int, image_size: int, num_classes: int, width: int = 64):
        super().__init__()
        self.num_classes = num_classes
        self.body = ConvGenerator(latent_dim + num_classes, channels, image_size, width)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        if labels is None:
            labels = balanced_classes(z.shape[0], self.num_classes, z.device)
        onehot = nn.functional.one_hot(labels, self.num_classes).to(z.dtype)
        return self.body(torch.cat([z, onehot], dim=1))


class ConditionalConvDiscriminator(nn.Module):
    """Projection discriminator (Miyato & Koyama 2018, "cGANs with Projection Discriminator",
    arXiv:1802.05637) on the DCGAN D: D(x, y) = ψ(φ(x)) + ⟨embed(y), Σ_hw φ(x)⟩, images [B, C, H, W]
    and labels int64 [B] -> scores [B].

    φ is the DCGAN D without its last convolution, ψ that convolution. Without labels (a
    run-level measure that judges images only) the projection uses the mean class embedding: the
    score under a uniform class prior.
    """

    def __init__(
        self, channels: int, image_size: int, num_classes: int, width: int = 64, batch_norm: bool = True
    ):
        super().__init__()
        layers = list(ConvDiscriminator(channels, image_size, width, batch_norm).net)
        self.features, self.head = nn.Sequential(*layers[:-1]), layers[-1]
        self.embed = nn.Embedding(num_classes, self.head.in_channels)
        nn.init.normal_(self.embed.weight, 0.0, 0.02)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        h = self.features(x)
        e = self.embed.weight.mean(dim=0, keepdim=True) if labels is None else self.embed(labels)
        return self.head(h).view(-1) + (e * h.sum(dim=(2, 3))).sum(dim=1)


class AutoencoderDiscriminator(nn.Module):
    """BEGAN's discriminator (Berthelot et al. 2017, arXiv:1703.10717): an autoencoder whose score is
    its reconstruction error, images [B, C, H, W] -> scores [B] = mean |x − Dec(Enc(x))| per image.

    Encoder: stride-2 convolutions (kernel 4, doubling the width) with ELU, as the paper, down to
    the DCGAN base resolution, then a linear map to ``hidden`` units; the decoder mirrors it with
    transposed convolutions and a linear output (no batch norm anywhere, as in the paper).
    """

    def __init__(self, channels: int, image_size: int, hidden: int = 64, width: int = 64):
        super().__init__()
        base = base_resolution(image_size)
        n_down = int(math.log2(image_size // base))
        encoder: list[nn.Module] = [nn.Conv2d(channels, width, 4, 2, 1), nn.ELU()]
        ch = width
        for _ in range(n_down - 1):
            encoder += [nn.Conv2d(ch, ch * 2, 4, 2, 1), nn.ELU()]
            ch *= 2
        encoder += [nn.Flatten(), nn.Linear(ch * base * base, hidden)]
        decoder: list[nn.Module] = [nn.Linear(hidden, ch * base * base), nn.Unflatten(1, (ch, base, base))]
        for _ in range(n_down - 1):
            decoder += [nn.ELU(), nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1)]
            ch //= 2
        decoder += [nn.ELU(), nn.ConvTranspose2d(ch, channels, 4, 2, 1)]
        self.encoder, self.decoder = nn.Sequential(*encoder), nn.Sequential(*decoder)
        self.apply(dcgan_init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (self.decoder(self.encoder(x)) - x).abs().flatten(1).mean(dim=1)


class ConvEncoder(nn.Module):
    """A VAE's encoder q(z | x) on the DCGAN D's convolutions (Kingma & Welling 2014,
    arXiv:1312.6114): images [B, C, H, W] -> (mean [B, Z], log-variance [B, Z]) of a diagonal Gaussian.

    The DCGAN D without its last convolution, flattened, then one linear map to 2 Z numbers.
    """

    def __init__(self, channels: int, image_size: int, latent_dim: int, width: int = 64):
        super().__init__()
        layers = list(ConvDiscriminator(channels, image_size, width).net)
        last = layers[-1]
        assert isinstance(last, nn.Conv2d)
        base = base_resolution(image_size)
        self.features = nn.Sequential(*layers[:-1], nn.Flatten())
        self.moments = nn.Linear(last.in_channels * base * base, 2 * latent_dim)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean, log_variance = self.moments(self.features(x)).chunk(2, dim=1)
        return mean, log_variance


class Negated(nn.Module):
    """``-module(x)``: a discriminator whose low scores mean "real" (BEGAN's reconstruction error),
    seen by the run-level measures, which read higher scores as more real."""

    def __init__(self, module: nn.Module):
        super().__init__()
        self.module = module

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return -self.module(x)


def dcgan_init(module: nn.Module) -> None:
    """N(0, 0.02) weights, as in Radford et al. 2016; batch norm scale N(1, 0.02)."""
    if isinstance(module, nn.Conv2d | nn.ConvTranspose2d):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def without_batch_norm(module: nn.Module) -> nn.Module:
    """``module`` with every ``BatchNorm2d`` / ``BatchNorm1d`` replaced by an identity, in place.

    For objectives with a per-sample gradient penalty (WGAN-GP, DRAGAN), which batch statistics
    would mix across the batch (Gulrajani et al. 2017, arXiv:1704.00028, section 4). A
    convolution that fed a batch norm keeps ``bias=False``.
    """
    for name, child in module.named_children():
        if isinstance(child, nn.BatchNorm1d | nn.BatchNorm2d):
            setattr(module, name, nn.Identity())
        else:
            without_batch_norm(child)
    return module


def with_spectral_norm(module: nn.Module) -> nn.Module:
    """``module`` with the weight of every convolution and linear layer spectrally normalised, in place.

    W / σ(W), σ estimated by one power iteration per training forward pass (Miyato et al. 2018,
    "Spectral Normalization for GANs", arXiv:1802.05957), through
    ``torch.nn.utils.parametrizations.spectral_norm``. Its random start vector is drawn from the
    global RNG, so build inside :func:`ganbench.seeding.seeded` for a seeded network.
    """
    for child in list(module.modules()):
        if isinstance(child, nn.Conv2d | nn.ConvTranspose2d | nn.Linear):
            nn.utils.parametrizations.spectral_norm(child)
    return module
