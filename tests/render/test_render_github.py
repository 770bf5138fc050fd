from __future__ import annotations

from reconciler.render.github import write_github_files


def test_outputs_and_summary_are_appended(mixed_plan, tmp_path):
    summary, output = tmp_path / "summary.md", tmp_path / "output"
    output.write_text("earlier=1\n")
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output)}
    assert write_github_files(mixed_plan, env) == [str(summary), str(output)]
    lines = output.read_text().splitlines()
    assert lines[0] == "earlier=1"
    assert dict(line.split("=", 1) for line in lines[1:]) == {
        "has_changes": "true",
        "creates": "1",
        "updates": "1",
        "deletes": "2",
        "plan_hash": mixed_plan.plan_hash,
        "blocked": "false",
    }
    assert "| Channel | Live offers |" in summary.read_text()


def test_nothing_written_outside_github(mixed_plan, tmp_path):
    assert write_github_files(mixed_plan, {}) == []
    assert list(tmp_path.iterdir()) == []
