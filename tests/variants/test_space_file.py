"""Search-space files: layering over the declared spaces, and every error naming file, section and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from ganbench.registry import VARIANTS, UnknownNameError
from ganbench.variants.configure import configure
from ganbench.variants.search_space import ADAM_WIDE, Choice, LogUniform, Uniform
from ganbench.variants.space_file import (
    SpaceFileError,
    check_space_file,
    load_space_file,
    space_for,
)
from ganbench.variants.trials import draw_trials

EXAMPLE = """\
# applies to every variant that has these settings
[all]
lr = { log_uniform = [1e-4, 1e-3] }
beta2 = { choice = [0.9, 0.999] }

[wgan-gp]
penalty_weight = { log_uniform = [0.1, 1000] }
critic_steps = { choice = [1, 5] }
beta1 = { uniform = [0.0, 1.0] }

["dcgan:hinge"]
lr_g = { log_uniform = [1e-5, 1e-3] }

[began]
gamma = { uniform = [0.3, 0.7] }
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "space.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_layers_all_then_the_variants_section_over_the_declared_space(tmp_path: Path) -> None:
    spaces = load_space_file(write(tmp_path, EXAMPLE))
    assert set(spaces) == {"all", "wgan-gp", "dcgan:hinge", "began"}
    assert spaces["wgan-gp"]["critic_steps"] == Choice((1, 5))
    wgan_gp = space_for(VARIANTS["wgan-gp"], spaces)
    assert wgan_gp["lr"] == LogUniform(1e-4, 1e-3)  # [all] over the declared [1e-5, 1e-2]
    assert wgan_gp["beta2"] == Choice((0.9, 0.999))
    assert wgan_gp["penalty_weight"] == LogUniform(0.1, 1000.0) and wgan_gp["beta1"] == Uniform(0.0, 1.0)
    wgan = space_for(VARIANTS["wgan"], spaces)  # RMSprop: [all]'s beta2 does not apply
    assert wgan == {
        "lr": LogUniform(1e-4, 1e-3),
        "critic_steps": Choice((1, 5)),
        "weight_clip": LogUniform(1e-3, 1e-1),
    }
    composed = space_for(VARIANTS["dcgan:hinge"], spaces)  # its lr_g replaces lr: lr_d keeps its default
    assert "lr" not in composed and composed["lr_g"] == LogUniform(1e-5, 1e-3)
    assert space_for(VARIANTS["began"], spaces)["gamma"] == Uniform(0.3, 0.7)
    assert space_for(VARIANTS["dcgan"], {}) == dict(ADAM_WIDE)


def test_the_checked_spaces_are_the_layered_ones_and_their_draws_configure(tmp_path: Path) -> None:
    path = write(tmp_path, EXAMPLE)
    names = ["wgan-gp", "wgan", "dcgan:hinge", "began", "vae"]
    checked = check_space_file(path, names)
    spaces = load_space_file(path)
    assert list(checked) == names
    for name in names:
        assert checked[name] == space_for(VARIANTS[name], spaces) == space_for(VARIANTS[name], checked)
        for trial in draw_trials(checked[name], 8, seed=0, variant_name=name):
            configure(VARIANTS[name], trial)
    assert check_space_file(None, ["wgan"]) == {"wgan": dict(VARIANTS["wgan"].search_space)}


def test_settings_the_named_variants_lack_are_left_out_not_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "[all]\nbeta1 = { uniform = [0.0, 2.0] }\ngamma = { uniform = [0.2, 0.4] }\n")
    assert "beta1" not in check_space_file(path, ["wgan"])["wgan"]  # RMSprop: no beta1 to check
    assert "gamma" not in check_space_file(path, ["wgan"])["wgan"]
    with pytest.raises(
        SpaceFileError, match=r"\[all\] \(as applied to dcgan\) beta1: .*beta1 must be <= 1; got 2.0"
    ):
        check_space_file(path, ["wgan", "dcgan"])


@pytest.mark.parametrize(
    "text,says",
    [
        (
            "[all]\nlr = { log_uniform = [1e-5, 1e-2] \n",
            r"space.toml: not valid TOML: .*line 2, column .*\[all\]",
        ),
        (
            "[dcgan:hinge]\nlr = { choice = [1e-3] }\n",
            r"not valid TOML: .*line 1.*quoted when it holds a colon",
        ),
        (
            "[wgan_gp]\nlr = { choice = [1e-3] }\n",
            r"unknown section \[wgan_gp\]: .*valid variants: began, cgan",
        ),
        (
            '["began:dcgan"]\nlr = { choice = [1e-3] }\n',
            r"unknown section \[began:dcgan\]: .*only work together",
        ),
        (
            "lr = { log_uniform = [1e-5, 1e-2] }\n",
            r"lr = \.\.\. is outside any section; put settings under \[all\]",
        ),
        (
            "[all]\nlrr = { choice = [1e-3] }\n",
            r"\[all\]: unknown setting 'lrr'; settings: lr, .*did you mean 'lr'",
        ),
        ("[wgan]\nbeta1 = { choice = [0.5] }\n", r"\[wgan\] beta1: .*rmsprop.*remove it from \[wgan\]"),
        ("[dcgan]\npenalty_weight = { choice = [1] }\n", r"\[dcgan\] penalty_weight: .*no penalty term"),
        (
            "[all]\nlr = { loguniform = [1e-5, 1e-2] }\n",
            r"\[all\] lr: unknown distribution 'loguniform'.*'log_uniform'",
        ),
        ("[all]\nlr = { uniform = [1e-5] }\n", r"\[all\] lr: uniform takes two numbers.*got 1"),
        ("[all]\nlr = { log_uniform = [1e-5, 1e-3, 1e-2] }\n", r"log_uniform takes two numbers.*got 3"),
        ('[all]\nbeta1 = { choice = ["0.5"] }\n', r"\[all\] beta1: choice takes a list of numbers"),
        ("[all]\nbeta1 = { choice = [true] }\n", r"choice takes a list of numbers"),
        ("[all]\nbeta1 = { choice = [] }\n", r"\[all\] beta1: Choice needs at least one value; write choice"),
        (
            "[all]\nlr = { log_uniform = [0, 1e-2] }\n",
            r"\[all\] lr: LogUniform needs 0 < low < high.*write log_uniform",
        ),
        ("[all]\nbeta1 = { uniform = [0.9, 0.1] }\n", r"Uniform needs low < high"),
        (
            "[all]\nlr = 1e-3\n",
            r"\[all\] lr: give one distribution as a table.*lr = \{ choice = \[0.001\] \}",
        ),
        ("[all]\nlr = { uniform = [0, 1], choice = [1] }\n", r"give one distribution as a table"),
        ("[all]\ncritic_steps = { uniform = [1, 5] }\n", r"critic_steps is an integer.*choice = \[1, 5\]"),
        ("[dcgan]\nlr = { choice = [1e-3] }\nlr_d = { choice = [1e-3] }\n", r"lr and lr_d set the same"),
    ],
)
def test_load_errors_name_the_file_the_section_and_the_fix(tmp_path: Path, text: str, says: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SpaceFileError, match=says) as caught:
        check_space_file(path, ["dcgan"])
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    "text,variant,says",
    [
        ("[wgan-gp]\ncritic_steps = { choice = [0, 5] }\n", "wgan-gp", r"\[wgan-gp\] critic_steps: .*>= 1"),
        ("[wgan-gp]\ncritic_steps = { choice = [2.5] }\n", "wgan-gp", r"critic_steps must be an integer"),
        (
            "[all]\nbeta1 = { choice = [0.5, 1.0] }\n",
            "dcgan",
            r"\[all\] \(as applied to dcgan\) beta1: .*< 1",
        ),
        ("[began]\ngamma = { uniform = [0.5, 2] }\n", "began", r"\[began\] gamma: .*gamma must be <= 1"),
        ("[all]\nlr = { uniform = [0, 1e-2] }\n", "dcgan", r"\[all\] .*lr: .*lr must be > 0; got 0.0"),
    ],
)
def test_ranges_a_variant_cannot_take_are_refused_before_any_work(
    tmp_path: Path, text: str, variant: str, says: str
) -> None:
    path = write(tmp_path, text)
    load_space_file(path)  # the file alone is fine
    with pytest.raises(SpaceFileError, match=says) as caught:
        check_space_file(path, [variant])
    assert str(path) in str(caught.value) and "narrow the range" in str(caught.value)


def test_open_upper_bounds_and_integral_floats_pass(tmp_path: Path) -> None:
    path = write(tmp_path, "[all]\nbeta1 = { uniform = [0, 1] }\ncritic_steps = { choice = [1.0, 5] }\n")
    space = check_space_file(path, ["dcgan"])["dcgan"]
    assert all(type(t["critic_steps"]) is int for t in draw_trials(space, 5, 0, "dcgan"))


def test_a_missing_file_and_an_unknown_variant(tmp_path: Path) -> None:
    with pytest.raises(SpaceFileError, match=r"nope.toml: cannot read the search-space file"):
        load_space_file(tmp_path / "nope.toml")
    with pytest.raises(UnknownNameError, match="unknown variant 'nope'"):
        check_space_file(None, ["nope"])
