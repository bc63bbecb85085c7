"""atomic_files.replacing: the target is replaced whole, or left as it was when the writer fails;
writers of one target never share a temporary file."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from ganbench.atomic_files import replacing, temporary_beside, write_text


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "entry.json"
    write_text(target, "old")
    with pytest.raises(RuntimeError), replacing(target) as temporary:
        temporary.write_text("half")
        raise RuntimeError("killed mid-write")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["entry.json"]


def test_a_durable_write_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "state.bin"
    with replacing(target, durable=True) as temporary:
        temporary.write_bytes(b"new")
    assert target.read_bytes() == b"new"


def test_writers_in_two_threads_get_two_temporary_paths(tmp_path: Path) -> None:
    target = tmp_path / "x.npz"
    seen: list[Path] = []
    thread = threading.Thread(target=lambda: seen.append(temporary_beside(target, ".npz")))
    thread.start()
    thread.join()
    assert seen[0] != temporary_beside(target, ".npz") and seen[0].suffix == ".npz"


def test_many_writers_of_one_target_never_fail(tmp_path: Path) -> None:
    """The race that a fixed temporary name lost (two cache writers renaming one file)."""
    target = tmp_path / "entry.txt"
    errors: list[BaseException] = []

    def writer(text: str) -> None:
        try:
            for _ in range(50):
                write_text(target, text)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(str(i) * 100,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert target.read_text() in {str(i) * 100 for i in range(4)}
