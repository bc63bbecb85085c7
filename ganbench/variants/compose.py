"""``NETWORKS:OBJECTIVE``: one variant's networks trained with another variant's objective.

``dcgan:hinge`` builds G and D as ``dcgan`` does and trains them as ``hinge`` does: its losses,
penalty, critic steps, optimiser and settings, weight clipping, spectral normalisation and
batch-norm rule. So the grid of Lucic et al. 2018 (arXiv:1711.10337), losses x architectures,
needs no code: ``--variants vanilla:wgan-gp,dcgan:wgan-gp,cgan:hinge``. The networks half is
``build_generator``, ``build_discriminator``, ``latent_dim`` and ``conditional``; every other field of
:class:`~ganbench.variants.spec.Variant` is the objective half. An objective with a per-sample
gradient penalty removes batch norm from the networks' D (``discriminator_batch_norm``).

Composed names are valid wherever a variant name is (``VARIANTS["dcgan:hinge"]``), are
recorded as written and are rebuilt from it (``ganbench evaluate --fake RUN``).
"""

from __future__ import annotations

from dataclasses import replace

from ganbench.registry import VARIANTS, UnknownNameError
from ganbench.variants.spec import Variant


def compose(name: str, networks: Variant, objective: Variant) -> Variant:
    """The variant ``name`` (``"A:B"``): ``networks``' G, D, z size and conditioning, ``objective``'s
    everything else. A variant whose networks and objective belong together (``composable``
    False: BEGAN) cannot be split; ``A:A`` is ``A`` itself under the composed name."""
    for part in (networks, objective):
        if not part.composable and networks is not objective:
            raise UnknownNameError(
                f"variant {name!r}: {part.name}'s networks and objective only work together (e.g. an "
                f"autoencoder D scored by its reconstruction error), so it cannot be combined; use "
                f"{part.name}"
            )
    return replace(
        objective,
        name=name,
        paper=f"{networks.name}'s networks trained with {objective.name}'s objective ({objective.paper})",
        build_generator=networks.build_generator,
        build_discriminator=networks.build_discriminator,
        latent_dim=networks.latent_dim,
        conditional=networks.conditional,
    )


VARIANTS.composer = compose
VARIANTS.composition_hint = "NETWORKS:OBJECTIVE, e.g. dcgan:hinge"
