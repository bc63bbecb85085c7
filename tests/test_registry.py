import pytest

from ganbench.registry import DATASETS, EXTRACTORS, METRICS, VARIANTS, Registry, UnknownNameError


def test_register_and_lookup() -> None:
    reg: Registry[int] = Registry("thing")
    reg.register("a-thing", 1)

    @reg.register("b")
    def b() -> int:
        return 2

    assert reg["a-thing"] == 1 and reg["b"] is b
    assert reg.names() == ["a-thing", "b"] and "b" in reg and len(reg) == 2


def test_duplicates_are_refused() -> None:
    reg: Registry[int] = Registry("thing")
    reg.register("a", 1)
    with pytest.raises(ValueError, match="registered twice"):
        reg.register("a", 2)


def test_miss_lists_valid_names() -> None:
    with pytest.raises(
        UnknownNameError, match=r"unknown variant 'gan9000'; valid variants: .*dcgan.*wgan-gp"
    ):
        VARIANTS["gan9000"]


def test_names_must_be_kebab_case() -> None:
    with pytest.raises(ValueError, match="kebab-case"):
        Registry("thing").register("WGAN GP", 1)


def test_resolve_parses_lists_and_all() -> None:
    assert VARIANTS.resolve("dcgan, lsgan,dcgan") == ["dcgan", "lsgan"]
    assert VARIANTS.resolve("all") == VARIANTS.names()
    with pytest.raises(UnknownNameError):
        VARIANTS.resolve("dcgan,nope")


def test_the_product_registries_are_populated() -> None:
    assert {"vanilla", "dcgan", "lsgan", "wgan-gp"} <= set(VARIANTS)
    assert {"mnist", "mnist-5k", "fashion-mnist"} <= set(DATASETS)
    assert {"fid", "kid", "is", "precision-recall", "density-coverage"} <= set(METRICS)
    assert "domain-classifier" in EXTRACTORS
