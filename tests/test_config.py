from pathlib import Path

import pytest

from ganbench.config import (
    RunConfig,
    load_config_file,
    load_preset,
    preset_description,
    preset_names,
    with_overrides,
)

VALID_PRESETS = "valid presets: lucic-cifar10, lucic-fashion-mnist, lucic-mnist, paper, quick, smoke"
#: Lucic et al. 2018's GANs that ganbench has (BEGAN and their VAE are not variants yet).
LUCIC_MODELS = ("mm-gan", "ns-gan", "lsgan", "wgan", "wgan-gp", "dragan", "began", "vae")


def test_presets_ship_with_the_package() -> None:
    assert {"smoke", "quick", "paper"} <= set(preset_names())
    quick = load_preset("quick")
    assert quick.dataset == "mnist-5k" and quick.variants == ("vanilla", "dcgan", "lsgan", "wgan-gp")
    paper = load_preset("paper")
    assert paper.dataset == "mnist" and paper.train.batch_size == 64 and paper.train.kimg == 1200.0
    assert paper.eval.n_samples == 10_000


def test_unknown_preset_lists_valid_ones() -> None:
    with pytest.raises(ValueError, match=VALID_PRESETS):
        load_preset("huge")


def test_overrides_skip_unset_values_and_convert_lists() -> None:
    config = with_overrides(load_preset("smoke"), {"seeds": [0, 1], "device": None, "train": {"kimg": 2.0}})
    assert config.seeds == (0, 1) and config.device == "auto" and config.train.kimg == 2.0


def test_config_file_overrides_and_rejects_typos(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text('variants = ["dcgan"]\n[train]\nkimg = 3.5\n')
    config = load_config_file(good, RunConfig())
    assert config.variants == ("dcgan",) and config.train.kimg == 3.5
    typo = tmp_path / "typo.toml"
    typo.write_text("[train]\nkimgs = 3\n")
    with pytest.raises(ValueError, match=r"unknown setting 'train\.kimgs'"):
        load_config_file(typo, RunConfig())
    broken = tmp_path / "broken.toml"
    broken.write_text("[train\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        load_config_file(broken, RunConfig())


def test_check_config_refuses_a_preset_name_that_is_not_a_preset() -> None:
    from ganbench.config import ConfigError, check_config

    # the preset names the run folder (<out>/<time>-<preset>): "../x" would put it outside --out
    for name in ("../x", "mine", 3):
        with pytest.raises(ConfigError, match=VALID_PRESETS) as err:
            check_config(RunConfig(preset=name))  # type: ignore[arg-type]
        assert err.value.setting == "preset"
    assert check_config(RunConfig(preset="smoke")).preset == "smoke"


def test_the_defaults_are_the_quick_preset_and_every_preset_passes_the_checks() -> None:
    from ganbench.config import check_config

    # one home per default: `ganbench run` (preset quick) and ganbench.run(RunConfig()) are one run
    assert load_preset("quick") == RunConfig()
    for name in preset_names():
        assert check_config(load_preset(name)).preset == name
    # a protocol preset refuses to fall back to other data
    assert load_preset("paper").offline_fallback is False and RunConfig().offline_fallback is True


@pytest.mark.parametrize(
    ("name", "dataset", "epochs", "train_size"),
    [
        # epochs: the authors' code, google/compare_gan v1, generate_tasks_lib.TuneParams
        ("lucic-mnist", "mnist", 20, 60_000),
        ("lucic-fashion-mnist", "fashion-mnist", 20, 60_000),
        ("lucic-cifar10", "cifar10", 100, 50_000),
    ],
)
def test_the_lucic_presets_encode_their_protocol(
    name: str, dataset: str, epochs: int, train_size: int
) -> None:
    from ganbench.config import check_config

    preset = check_config(load_preset(name))
    assert preset.dataset == dataset and preset.offline_fallback is False  # a protocol: no fallback
    assert preset.train.kimg == epochs * train_size / 1000 and preset.train.batch_size == 64
    assert preset.eval.n_samples == 10_000  # 10k generated vs 10k test images
    assert preset.variants == LUCIC_MODELS and preset.seeds == (0, 1, 2)
    first_line = f"{epochs} epochs ({preset.train.kimg:,.0f} kimg), batch 64, 10k vs 10k"
    assert first_line in preset_description(name)


def test_the_paper_preset_is_the_lucic_mnist_protocol_on_the_default_variants() -> None:
    paper, lucic = load_preset("paper"), load_preset("lucic-mnist")
    assert (paper.dataset, paper.train, paper.eval) == (lucic.dataset, lucic.train, lucic.eval)
    assert paper.variants == RunConfig().variants and paper.seeds == RunConfig().seeds


def test_the_domain_classifier_epochs_have_one_home() -> None:
    from ganbench.classifier import ClassifierSettings
    from ganbench.config import EvalConfig

    assert EvalConfig().classifier_epochs == ClassifierSettings().epochs


def test_class_conditional_measures_run_only_with_a_conditional_variant() -> None:
    """Without a conditional variant `all` leaves those measures out and naming one says where it
    runs; with one (cgan, or a composition keeping its networks) `all` includes them."""
    import dataclasses

    from ganbench.config import ConfigError, EvalConfig, check_config

    conditional = {"gan-test", "gan-train", "intra-fid"}
    every = check_config(RunConfig(eval=EvalConfig(metrics=("all",)))).eval.metrics
    assert "fid" in every and not conditional & set(every)
    named = dataclasses.replace(RunConfig(), eval=EvalConfig(metrics=("fid", "gan-test")))
    with pytest.raises(ConfigError, match=r"gan-test need class-conditional samples.*add one \(cgan") as e:
        check_config(named)
    assert e.value.setting == "eval.metrics"
    for variants in [("dcgan", "cgan"), ("cgan:hinge",)]:
        with_cgan = RunConfig(variants=variants, eval=EvalConfig(metrics=("all",)))
        assert conditional <= set(check_config(with_cgan).eval.metrics)
        assert check_config(dataclasses.replace(with_cgan, eval=EvalConfig(metrics=("gan-test",))))
    dcgan_objective = RunConfig(variants=("dcgan:cgan",), eval=EvalConfig(metrics=("all",)))
    assert not conditional & set(check_config(dcgan_objective).eval.metrics)  # conditioning is the networks'
