"""did_you_mean: close names, a swap of two letters first."""

from ganbench.spelling import did_you_mean


def test_a_swap_of_two_letters_is_suggested_first() -> None:
    assert did_you_mean("fdi", ["fld", "fid", "kid"]) == "; did you mean 'fid' or 'fld'?"


def test_no_close_name_gives_no_hint() -> None:
    assert did_you_mean("zzz", ["fid", "kid"]) == ""
