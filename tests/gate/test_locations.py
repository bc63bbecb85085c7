"""Source lines of TOML keys: headers, dotted keys, quoted keys, comments."""

from __future__ import annotations

from ganbench.gate.locations import key_lines

TEXT = """# a comment: fid.max = 1
[protocol]
n = 500

[ mnist-5k . "wgan-gp" ]   # spaces and quotes are allowed in headers
fid.max = 40
 "fid:fid" . min = 1
kid = { max = 2 }
[[array]]
x = 1
"""


def test_key_lines_follow_tables_and_dotted_keys() -> None:
    lines = key_lines(TEXT)
    assert lines[("protocol",)] == 2 and lines[("protocol", "n")] == 3
    assert lines[("mnist-5k", "wgan-gp")] == 5
    assert lines[("mnist-5k", "wgan-gp", "fid", "max")] == 6
    assert lines[("mnist-5k", "wgan-gp", "fid")] == 6
    assert lines[("mnist-5k", "wgan-gp", "fid:fid", "min")] == 7
    assert lines[("mnist-5k", "wgan-gp", "kid")] == 8
    assert ("mnist-5k", "wgan-gp", "kid", "max") not in lines  # inside an inline table: its key's line
    assert ("fid", "max") not in lines  # comments are not keys
