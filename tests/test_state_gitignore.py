"""`ignore_in_git`: the .gitignore of a catalog names the state folder once, keeps the rest."""

from __future__ import annotations

from reconciler.state import ignore_in_git


def test_a_new_gitignore_names_the_state_folder(tmp_path):
    assert ignore_in_git(tmp_path) is True
    assert (tmp_path / ".gitignore").read_text() == ".catalog/\n"
    assert ignore_in_git(tmp_path) is False
    assert (tmp_path / ".gitignore").read_text() == ".catalog/\n"


def test_an_existing_gitignore_keeps_its_lines(tmp_path):
    (tmp_path / ".gitignore").write_text("plan.json")  # no newline at the end
    assert ignore_in_git(tmp_path) is True
    assert (tmp_path / ".gitignore").read_text() == "plan.json\n.catalog/\n"
    (tmp_path / ".gitignore").write_text("  .catalog/  \n*.zip\n")
    assert ignore_in_git(tmp_path) is False
