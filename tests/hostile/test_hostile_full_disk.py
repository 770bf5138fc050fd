"""A full disk while a kept file is written (a plan, a report, a schema, an import) leaves the
previous file whole: the new content goes to a temporary file that replaces it once complete.

The disk fills in-process: every file opened for writing in the test's folder refuses bytes
beyond the first 4 KiB with ENOSPC, as a full file system does midway through a write.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.replace_file import replace_file
from reconciler.resources import DEMO_CATALOG

ROOM = 4096  # bytes a file may still take
NOW = "2026-12-01T10:00:00+01:00"


class _FullDisk(io.RawIOBase):
    """A file that takes ROOM bytes, then fails with ENOSPC."""

    def __init__(self, stream: io.RawIOBase) -> None:
        self.stream, self.taken = stream, 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        if self.taken + len(data) > ROOM:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.taken += len(data)
        return self.stream.write(data)

    def fileno(self) -> int:
        return self.stream.fileno()

    def close(self) -> None:
        self.stream.close()
        super().close()


def fill_after_room(disk: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files opened for writing in `disk` (by name or descriptor) take ROOM bytes, no more."""
    real_open = io.open

    def inside(file: object) -> bool:
        name = os.readlink(f"/proc/self/fd/{file}") if isinstance(file, int) else file
        return os.path.abspath(os.fspath(name)).startswith(f"{disk}/")  # type: ignore[arg-type]

    def opened(
        file, mode="r", buffering=-1, encoding=None, errors=None, newline=None, closefd=True
    ):  # noqa: ANN001, ANN202, E501
        if not any(c in mode for c in "wax+") or not inside(file):
            return real_open(file, mode, buffering, encoding, errors, newline, closefd)
        binary = mode.replace("t", "").replace("b", "") + "b"
        stream = io.BufferedWriter(_FullDisk(real_open(file, binary, 0, closefd=closefd)))
        if "b" in mode:
            return stream
        return io.TextIOWrapper(stream, encoding or "utf-8", errors, newline)

    monkeypatch.setattr(builtins, "open", opened)
    monkeypatch.setattr(io, "open", opened)


@pytest.fixture
def full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    disk = tmp_path / "disk"
    disk.mkdir()
    fill_after_room(disk, monkeypatch)
    return disk


def test_a_file_written_on_a_full_disk_leaves_the_old_one_whole(full_disk: Path) -> None:
    kept = full_disk / "report.json"
    kept.write_bytes(b"the previous report\n")
    with pytest.raises(OSError, match="No space left on device"):
        replace_file(kept, "x" * (ROOM + 1))
    assert kept.read_bytes() == b"the previous report\n"
    assert sorted(p.name for p in full_disk.iterdir()) == ["report.json"]  # no temporary left
    replace_file(kept, "new")  # with room enough it is replaced
    assert kept.read_text() == "new"


def test_plan_out_on_a_full_disk_keeps_the_previous_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = tmp_path / "demo"
    shutil.copytree(DEMO_CATALOG, demo, ignore=shutil.ignore_patterns(".catalog"))
    env = {"CATALOG_NOW": NOW, "OCTOPIA_CLIENT_ID": None, "OCTOPIA_CLIENT_SECRET": None}
    plan_file = tmp_path / "disk" / "plan.json"
    plan_file.parent.mkdir()
    first = CliRunner().invoke(cli, ["plan", str(demo), "--out", str(plan_file)], env=env)
    assert first.exit_code == 0, first.output
    reviewed = plan_file.read_bytes()
    assert len(reviewed) > ROOM
    fill_after_room(plan_file.parent, monkeypatch)
    again = CliRunner().invoke(cli, ["plan", str(demo), "--out", str(plan_file)], env=env)
    assert again.exit_code == 1, again.output
    assert f"cannot write the plan to {plan_file}: No space left on device" in again.output
    assert plan_file.read_bytes() == reviewed
    assert sorted(p.name for p in plan_file.parent.iterdir()) == ["plan.json"]
