"""README's five-minute tour, run as a new seller would: `catalog demo`, then every line of the
tour in a fresh folder, in order, through a real shell. Each line must exit as README says
(0, or 2 where its comment says "exits 2"), and the tour must end with an empty plan."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def tour_lines() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## A five-minute tour", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    # The venv is activated by putting its bin folder first on PATH below.
    return [line for line in block.splitlines() if line.strip() and "activate" not in line]


def test_the_tour_runs_line_by_line_and_ends_with_an_empty_plan(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OCTOPIA_", "GITHUB_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"

    def shell(line: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", "-c", line], cwd=tmp_path, env=env, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip

    lines = tour_lines()
    assert len(lines) >= 8, lines
    for line in ["catalog demo", *lines]:
        expected = 2 if "exits 2" in line else 0
        done = shell(line)
        assert done.returncode == expected, f"{line}\n{done.stdout}\n{done.stderr}"
    final = shell("catalog plan catalog-demo --detailed-exitcode")
    assert final.returncode == 0, final.stdout + final.stderr
    assert "No changes" in final.stdout
