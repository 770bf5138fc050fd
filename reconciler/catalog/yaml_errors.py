"""libyaml's syntax errors as a seller can act on them: a located problem, in plain words,
with what the error usually means in a catalog file and the line to look at.
"""

from __future__ import annotations

import re

import yaml

from reconciler.errors import Location, Problem

_INDENT_TAB = re.compile(r"^ *\t", re.MULTILINE)


def tab_problem(text: str, err: yaml.MarkedYAMLError, name: str) -> Problem | None:
    """libyaml's words for a tab in the indentation are obscure: say it plainly.

    Only when the file does not parse: a tab inside a value or a block of text is fine.
    """
    if "\t" not in text or err.problem_mark is None:
        return None
    tab = _INDENT_TAB.search(text)
    if tab is None:
        return None
    line = text.count("\n", 0, tab.start()) + 1
    if line > err.problem_mark.line + 1:
        return None
    message = "a tab is used for indentation: YAML indents with spaces only"
    return Problem(Location(name, line, tab.end() - tab.start()), message)


def character_problem(text: str, err: yaml.reader.ReaderError, name: str) -> Problem:
    # libyaml counts the position in characters of the decoded text
    line = text.count("\n", 0, err.position) + 1
    column = err.position - (text.rfind("\n", 0, err.position) + 1) + 1
    message = f"the file holds a control character (U+{err.character:04X}), which YAML refuses"
    return Problem(Location(name, line, column), message)


def syntax_problem(err: yaml.MarkedYAMLError, name: str) -> Problem:
    mark = err.problem_mark or err.context_mark
    what = ", ".join(part for part in (err.context, err.problem) if part)
    if mark is None:
        return Problem(Location(name), f"invalid YAML: {what}")
    hint = _meaning(err, mark.line + 1)
    message = f"invalid YAML: {what}" + (f" ({hint})" if hint else "")
    return Problem(Location(name, mark.line + 1, mark.column + 1), message)


def _meaning(err: yaml.MarkedYAMLError, line: int) -> str:
    """What libyaml's words usually mean in a catalog file, and where to look."""
    problem = err.problem or ""
    opened = err.context_mark.line + 1 if err.context_mark else line
    if problem.startswith("mapping values are not allowed"):
        return (
            f"usually a value holding ': ' that needs quotes (comment: \"Note: fragile\"), "
            f"this line indented deeper than the one above, or a ':' missing on line {line - 1}"
        )
    if problem.startswith(("did not find expected key", "did not find expected '-'")):
        return (
            f"usually line {line} is indented differently from the fields above it: line it up "
            "with its neighbours, or start a new item with '- '"
        )
    if problem.startswith("found character that cannot start any token"):
        return "a value cannot start with @, ` or a tab: put it in quotes"
    if "quoted scalar" in (err.context or "") and "end of stream" in problem:
        return f"the quote opened on line {opened} is never closed"
    return ""
